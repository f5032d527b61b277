from django.contrib.auth import get_user_model

from availability.models import City
from nicaventas.testing import ApiTestCase

CHANGELIST = "/admin/availability/city/"


def form_data(response) -> dict:
    """Return what the admin form on the page posts when saved unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]

    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    return data


class CityAdminTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        admin = get_user_model().objects.create_superuser("admin", "a@example.com")
        self.client.force_login(admin)

    def change(self, city: City, **changes):
        url = f"{CHANGELIST}{city.pk}/change/"
        data = {**form_data(self.client.get(url)), **changes}
        data = {k: v for k, v in data.items() if v is not None}

        with self.committed():
            response = self.client.post(url, data)

        return response

    def test_change_form_invalidates_cached_answer(self):
        self.active()
        leon = City.objects.get(name="León")

        response = self.change(leon, active=None)
        after = self.active()

        self.assertEqual(response.status_code, 302)
        self.assertIs(City.objects.get(pk=leon.pk).active, False)
        self.assertEqual(after.json()["cache"], "miss")
        self.assertIs(after.json()["active"], False)

    def test_rename_in_change_form_forgets_old_name(self):
        self.active()
        leon = City.objects.get(name="León")

        response = self.change(leon, name="León Viejo")

        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.active("Leon").status_code, 404)
        self.assertEqual(self.active("leon viejo").json()["city"], "León Viejo")

    def test_bulk_actions_invalidate_cached_answers(self):
        leon = City.objects.get(name="León")
        chinandega = City.objects.get(name="Chinandega")
        self.active("Leon")
        self.active("Chinandega")

        for action, city in [("deactivate", leon), ("activate", chinandega)]:
            with self.committed():
                response = self.client.post(
                    CHANGELIST, {"action": action, "_selected_action": [city.pk]}
                )

            self.assertEqual(response.status_code, 302)
        after_leon = self.active("Leon").json()
        after_chinandega = self.active("Chinandega").json()

        self.assertEqual(after_leon["cache"], "miss")
        self.assertIs(after_leon["active"], False)
        self.assertEqual(after_chinandega["cache"], "miss")
        self.assertIs(after_chinandega["active"], True)

    def test_adding_another_spelling_of_a_city_is_refused(self):
        count = City.objects.count()
        url = f"{CHANGELIST}add/"
        data = form_data(self.client.get(url))

        response = self.client.post(
            url, {**data, "country": "NI", "name": " LEON ", "active": "on"}
        )

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.errors)
        self.assertEqual(City.objects.count(), count)
        self.assertIs(City.objects.get(name="León").active, True)

    def test_renaming_to_another_spelling_of_a_city_is_refused(self):
        managua = City.objects.get(name="Managua")

        response = self.change(managua, name="LEÓN")

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.errors)
        self.assertEqual(City.objects.get(pk=managua.pk).name, "Managua")

    def test_unknown_country_is_refused(self):
        response = self.change(City.objects.get(name="Managua"), country="zz")

        self.assertEqual(response.status_code, 200)
        self.assertIn("country", response.context["adminform"].form.errors)
