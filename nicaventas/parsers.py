"""
Request parsers. Apart from nicaventas.api: DRF reads the parser setting while
its views module is imported, which nicaventas.api itself imports.
"""

from rest_framework import exceptions, parsers


class JsonParser(parsers.JSONParser):
    """DRF's JSON parser, with a 400 for nesting too deep to decode."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            msg = "JSON parse error - the body is nested too deeply."
            raise exceptions.ParseError(msg) from None
