from nicaventas.testing import OPERATOR, ApiTestCase


class ActiveGetTests(ApiTestCase):
    def test_second_identical_question_is_cache_hit(self):
        first = self.active("Leon", "ni")
        second = self.active("LEÓN ", "NI")

        self.assertEqual(first.status_code, 200)
        self.assertEqual(
            first.json(),
            {"active": True, "country": "ni", "city": "León", "cache": "miss"},
        )
        self.assertEqual(second.json()["cache"], "hit")
        self.assertEqual(second.json()["city"], "León")

    def test_unknown_city_is_404(self):
        response = self.active("Atlantis", "ni")

        self.assertEqual(response.status_code, 404)
        self.assertIn("Atlantis", response.json()["detail"])

    def test_missing_parameter_is_400_naming_it(self):
        response = self.client.get("/active", {"city": "Leon"})

        self.assertEqual(response.status_code, 400)
        self.assertIn("country", response.json()["errors"])


class ActiveWriteTests(ApiTestCase):
    def test_put_invalidates_cached_answer(self):
        self.active()
        self.active()

        with self.committed():
            response = self.client.put(
                "/active",
                {"country": "ni", "city": "leon", "active": False},
                format="json",
                **OPERATOR,
            )
        after = self.active()

        self.assertEqual(response.status_code, 200)
        self.assertEqual(after.json()["cache"], "miss")
        self.assertIs(after.json()["active"], False)

    def test_write_without_token_is_401_and_changes_nothing(self):
        response = self.client.put(
            "/active", {"country": "ni", "city": "leon", "active": False}, format="json"
        )

        self.assertEqual(response.status_code, 401)
        self.assertIn("Bearer", response["WWW-Authenticate"])
        self.assertIs(self.active().json()["active"], True)
