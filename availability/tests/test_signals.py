import os
import threading

from django.core.management import call_command
from django.db import connection, transaction
from django.test import TransactionTestCase, skipUnlessDBFeature
from rest_framework.test import APIClient

from availability import services
from availability.models import City
from nicaventas.testing import ApiTestCase, reset_cache


class CityInvalidationTests(ApiTestCase):
    """Every way of changing a city drops its cached answer."""

    def setUp(self):
        super().setUp()
        self.assertEqual(self.active().json()["cache"], "miss")
        self.assertEqual(self.active().json()["cache"], "hit")

    def assert_next_answer_is_miss(self, active: bool):
        answer = self.active().json()

        self.assertEqual(answer["cache"], "miss")
        self.assertIs(answer["active"], active)

    def test_orm_save(self):
        leon = City.objects.get(name="León")
        leon.active = False

        with self.committed():
            leon.save()

        self.assert_next_answer_is_miss(active=False)

    def test_queryset_update(self):
        with self.committed():
            City.objects.filter(name="León").update(active=False)

        self.assert_next_answer_is_miss(active=False)

    def test_bulk_update(self):
        leon = City.objects.get(name="León")
        leon.active = False

        with self.committed():
            City.objects.bulk_update([leon], ["active"])

        self.assert_next_answer_is_miss(active=False)

    def test_bulk_create_updating_conflicts(self):
        target = ["country", "name_key"]
        if not connection.features.supports_update_conflicts_with_target:
            target = None
        leon = City(country="ni", name="León", name_key="leon", active=False)

        with self.committed():
            City.objects.bulk_create(
                [leon],
                update_conflicts=True,
                update_fields=["active"],
                unique_fields=target,
            )

        self.assert_next_answer_is_miss(active=False)

    def test_delete(self):
        with self.committed():
            City.objects.get(name="León").delete()

        self.assertEqual(self.active().status_code, 404)

    def test_queryset_delete(self):
        with self.committed():
            City.objects.filter(country="ni").delete()

        self.assertEqual(self.active().status_code, 404)

    def test_rename_forgets_old_name(self):
        leon = City.objects.get(name="León")
        leon.name = "León Viejo"

        with self.committed():
            leon.save()

        self.assertEqual(self.active("Leon").status_code, 404)
        self.assertEqual(self.active("León Viejo").json()["cache"], "miss")

    def test_rename_forgets_quotes_cached_under_old_name(self):
        self.assertEqual(self.quote().json()["cache"], "miss")
        self.assertEqual(self.quote().json()["cache"], "hit")
        leon = City.objects.get(name="León")
        leon.name = "León Viejo"

        with self.committed():
            leon.save()

        self.assertEqual(self.quote().json()["cache"], "miss")
        self.assertEqual(self.quote(city="leon viejo").json()["city"], "León Viejo")

    def test_second_rename_of_one_instance_forgets_the_first_name(self):
        leon = City.objects.get(name="León")
        leon.name = "León Viejo"
        with self.committed():
            leon.save()
        self.assertEqual(self.active("León Viejo").json()["cache"], "miss")
        self.assertEqual(self.active("León Viejo").json()["cache"], "hit")
        leon.name = "León Santiago"

        with self.committed():
            leon.save()

        self.assertEqual(self.active("León Viejo").status_code, 404)
        self.assertEqual(self.active("Leon").status_code, 404)

    def test_rename_of_a_created_instance_forgets_its_first_name(self):
        with self.committed():
            city = City.objects.create(country="ni", name="Masaya", active=True)
        self.assertEqual(self.active("Masaya").json()["cache"], "miss")
        self.assertEqual(self.active("Masaya").json()["cache"], "hit")
        city.name = "Masaya Vieja"

        with self.committed():
            city.save()

        self.assertEqual(self.active("Masaya").status_code, 404)

    def test_change_is_forgotten_only_once_committed(self):
        with self.captureOnCommitCallbacks() as callbacks:
            City.objects.filter(name="León").update(active=False)

            during = self.active().json()
        for callback in callbacks:
            callback()
        after = self.active().json()

        self.assertEqual(during["cache"], "hit")
        self.assertEqual(after["cache"], "miss")
        self.assertIs(after["active"], False)

    def test_change_rolled_back_keeps_cached_answer(self):
        leon = City.objects.get(name="León")
        leon.active = False

        with self.committed():
            try:
                with transaction.atomic():
                    leon.save()
                    raise RuntimeError("abandoned")
            except RuntimeError:
                pass

        self.assertEqual(self.active().json()["cache"], "hit")

    def test_save_of_another_city_keeps_cached_answer(self):
        managua = City.objects.get(name="Managua")
        managua.active = False

        with self.committed():
            managua.save()

        self.assertEqual(self.active().json()["cache"], "hit")


@skipUnlessDBFeature("test_db_allows_multiple_connections")
class CityInvalidationOrderTests(TransactionTestCase):
    """A reader meanwhile cannot leave the state before a change in the cache."""

    def setUp(self):
        call_command("seed", stdout=open(os.devnull, "w"))
        reset_cache()
        self.client = APIClient()

    def read_in_other_thread(self) -> dict:
        answers = []

        def read():
            try:
                answers.append(services.active_get(country="ni", city="Leon"))
            finally:
                connection.close()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()

        return answers[0]

    def test_reader_during_open_transaction_leaves_no_old_answer(self):
        with transaction.atomic():
            leon = City.objects.get(name="León")
            leon.active = False
            leon.save()

            during = self.read_in_other_thread()

        after = self.client.get("/active", {"city": "Leon", "country": "ni"}).json()

        self.assertEqual(during, {**during, "active": True, "cache": "miss"})
        self.assertEqual(after["cache"], "miss")
        self.assertIs(after["active"], False)

    def test_reader_during_open_bulk_update_leaves_no_old_answer(self):
        with transaction.atomic():
            City.objects.filter(name="León").update(active=False)

            during = self.read_in_other_thread()

        after = self.client.get("/active", {"city": "Leon", "country": "ni"}).json()

        self.assertIs(during["active"], True)
        self.assertEqual(after["cache"], "miss")
        self.assertIs(after["active"], False)
