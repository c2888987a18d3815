# -*- test-case-name: mimic.test.test_image_model -*-
"""
The image store without HTTP: lookups, what a delete may remove, the
snapshot lifecycle on Mimic's clock, and listings answering a query.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.profiles import OPENSTACK, RACKSPACE
from mimic.services.image.formats import DEVSTACK_SNAPSHOTS, RACKSPACE_SNAPSHOTS, snapshot_formats
from mimic.services.image.model import (
    BASE_IMAGES,
    DEFAULT_IMAGE_ID,
    SNAPSHOT_SECONDS,
    ImageQuery,
    ImageStore,
    NoSuchImage,
    NotTheProjectsImage,
    UnknownMarker,
)


def query(
    limit: int = 25,
    marker: str | None = None,
    sorting: tuple[tuple[str, bool], ...] = (("created_at", True), ("id", True)),
    ids: tuple[str, ...] | None = None,
    names: frozenset[str] | None = None,
    visibility: str | None = None,
) -> ImageQuery:
    return ImageQuery(
        args={},
        limit=limit,
        marker=marker,
        sorting=sorting,
        filters=(),
        visibility=visibility,
        ids=ids,
        names=names,
    )


class LookupTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.store = ImageStore()

    def test_find_gives_a_base_image_by_id(self) -> None:
        self.assertEqual(self.store.find(DEFAULT_IMAGE_ID).id, DEFAULT_IMAGE_ID)

    def test_find_unknown_image_raises_no_such_image(self) -> None:
        error = self.assertRaises(NoSuchImage, self.store.find, "nope")
        self.assertEqual(error.image_id, "nope")

    def test_base_images_are_not_the_projects_to_delete(self) -> None:
        error = self.assertRaises(NotTheProjectsImage, self.store.deletable, DEFAULT_IMAGE_ID)
        self.assertEqual(error.image_id, DEFAULT_IMAGE_ID)
        self.assertRaises(NoSuchImage, self.store.deletable, "nope")

    def test_a_snapshot_is_deletable_until_deleted(self) -> None:
        snapshot = self.store.create_snapshot("backup", "server-1", now=10.0)
        self.assertIs(self.store.deletable(snapshot.id), snapshot)
        self.assertTrue(self.store.delete(snapshot.id))
        self.assertRaises(NoSuchImage, self.store.deletable, snapshot.id)


class SnapshotTests(SynchronousTestCase):
    def test_snapshot_is_saving_then_active_on_mimics_clock(self) -> None:
        snapshot = ImageStore().create_snapshot("backup", "server-1", now=100.0)
        self.assertEqual(snapshot.status(100.0), "SAVING")
        self.assertEqual(snapshot.status(100.0 + SNAPSHOT_SECONDS), "ACTIVE")
        self.assertEqual(snapshot.updated(100.0 + SNAPSHOT_SECONDS), 100.0 + SNAPSHOT_SECONDS)

    def test_snapshot_inherits_the_base_images_minimums_and_os(self) -> None:
        base = BASE_IMAGES[-1]
        snapshot = ImageStore().create_snapshot("backup", "server-1", now=1.0, base_image=base)
        self.assertEqual((snapshot.min_disk, snapshot.min_ram), (base.min_disk, base.min_ram))
        self.assertEqual(snapshot.metadata["base_image_ref"], base.id)
        self.assertEqual(snapshot.metadata["image_type"], "snapshot")
        self.assertEqual(snapshot.metadata["os_type"], base.metadata["os_type"])

    def test_snapshots_are_in_the_stores_formats(self) -> None:
        self.assertEqual(snapshot_formats(RACKSPACE), RACKSPACE_SNAPSHOTS)
        self.assertEqual(snapshot_formats(OPENSTACK), DEVSTACK_SNAPSHOTS)
        rackspace = ImageStore().create_snapshot("backup", "server-1", now=1.0)
        self.assertEqual((rackspace.container_format, rackspace.disk_format), ("ovf", "vhd"))
        devstack = ImageStore(snapshot_formats=DEVSTACK_SNAPSHOTS).create_snapshot("backup", "server-1", now=1.0)
        self.assertEqual((devstack.container_format, devstack.disk_format), ("bare", "qcow2"))


class GlanceViewTests(SynchronousTestCase):
    """
    An image as Glance shows it (moved here from compute's tests, which
    no longer reach the image service's model).
    """

    def test_glance_view_of_the_same_images(self) -> None:
        store = ImageStore()
        base = store.get(DEFAULT_IMAGE_ID)
        assert base is not None
        public = base.glance_json(now=0.0, owner="t1")
        self.assertEqual(
            {k: public[k] for k in ("id", "status", "visibility", "min_disk", "os_distro")},
            {"id": DEFAULT_IMAGE_ID, "status": "active", "visibility": "public", "min_disk": 20, "os_distro": "ubuntu"},
        )
        snapshot = store.create_snapshot("backup", "server-1", now=10.0, base_image=base)
        saving = snapshot.glance_json(now=10.0, owner="t1")
        self.assertEqual((saving["status"], saving["visibility"], saving["owner"], saving["size"]), ("saving", "private", "t1", None))
        self.assertEqual(saving["image_type"], "snapshot")


class ListingTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.store = ImageStore()

    def ids(self, images: list[dict[str, object]]) -> list[object]:
        return [image["id"] for image in images]

    def test_default_listing_is_newest_first_snapshots_included(self) -> None:
        snapshot = self.store.create_snapshot("backup", "server-1", now=BASE_IMAGES[0].created + 1)
        images, full = self.store.listing(query(), now=0.0, tenant_id="t1")
        self.assertEqual(self.ids(images), [snapshot.id] + [image.id for image in BASE_IMAGES])
        self.assertFalse(full)

    def test_a_page_of_limit_images_is_full(self) -> None:
        images, full = self.store.listing(query(limit=2), now=0.0, tenant_id="t1")
        self.assertEqual(self.ids(images), [image.id for image in BASE_IMAGES[:2]])
        self.assertTrue(full)

    def test_marker_pages_after_that_image(self) -> None:
        marker = BASE_IMAGES[1].id
        images, _ = self.store.listing(query(limit=1, marker=marker), now=0.0, tenant_id="t1")
        self.assertEqual(self.ids(images), [BASE_IMAGES[2].id])

    def test_unknown_marker_raises(self) -> None:
        error = self.assertRaises(
            UnknownMarker, self.store.listing, query(marker="nope"), 0.0, "t1"
        )
        self.assertEqual(error.marker, "nope")

    def test_sorting_on_the_glance_view(self) -> None:
        images, _ = self.store.listing(
            query(sorting=(("name", False), ("created_at", False), ("id", False))), 0.0, "t1"
        )
        self.assertEqual([i["name"] for i in images], sorted(image.name for image in BASE_IMAGES))

    def test_images_made_in_one_second_sort_in_the_order_made(self) -> None:
        made = [self.store.create_snapshot(f"backup-{n}", "server-1", now=100.0 + n / 10) for n in range(5)]
        oldest_first = (("created_at", False), ("id", False))
        images, _ = self.store.listing(query(sorting=oldest_first, visibility="private"), 200.0, "t1")
        self.assertEqual(self.ids(images), [image.id for image in made])

    def test_ids_and_names_pick_images(self) -> None:
        wanted = (BASE_IMAGES[3].id, BASE_IMAGES[0].id, "nope")
        images, _ = self.store.listing(query(ids=wanted), 0.0, "t1")
        self.assertEqual(self.ids(images), [BASE_IMAGES[0].id, BASE_IMAGES[3].id])
        named, _ = self.store.listing(query(names=frozenset([BASE_IMAGES[2].name])), 0.0, "t1")
        self.assertEqual(self.ids(named), [BASE_IMAGES[2].id])

    def test_visibility_picks_public_or_private_images(self) -> None:
        snapshot = self.store.create_snapshot("backup", "server-1", now=1.0)
        private, _ = self.store.listing(query(visibility="private"), 0.0, "t1")
        self.assertEqual(self.ids(private), [snapshot.id])
        community, _ = self.store.listing(query(visibility="community"), 0.0, "t1")
        self.assertEqual(community, [])
