"""
Negative paths of a small deployment script, each tested from the same
world.

The session starts one Mimic (the plugin's ``mimic_url`` fixture runs a
real ``twistd mimic``), builds a world in it once (a user and a running
server) and saves it as the snapshot "world".  Every test starts from
that snapshot, restored in milliseconds, makes one known error condition
happen, and checks what the client saw and what it asked of Mimic.

Run it with the fault-coverage report printed at the end::

    pytest --mimic-coverage=- test_negative_paths.py
"""

import openstack
import pytest
from openstack import exceptions

pytest_plugins = ["mimic.pytest_plugin"]

# Every test starts from the snapshot "world", which the fixture "world"
# builds and saves (once per session).
pytestmark = pytest.mark.mimic_snapshot("world", setup="world")


@pytest.fixture(scope="session")
def cloud(mimic_url):
    """
    openstacksdk, pointed at the session's Mimic (Mimic accepts any
    password for a user it does not know, and gives it the project it
    asks for).
    """
    connection = openstack.connect(
        auth_url=mimic_url + "/identity",
        username="deployer",
        password="any",
        project_name="deployer-project",
        user_domain_name="Default",
        project_domain_name="Default",
        region_name="ORD",
    )
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def world(cloud, mimic_control):
    """
    The world every test starts from: one ACTIVE server, "web-1".
    """
    image = next(cloud.image.images())
    flavor = next(cloud.compute.flavors())
    web = cloud.compute.create_server(name="web-1", image_id=image.id, flavor_id=flavor.id)
    web = cloud.compute.wait_for_server(web, wait=10)
    mimic_control.save_snapshot("world")
    return {"web": web.id, "image": image.id, "flavor": flavor.id}


@pytest.fixture(autouse=True)
def own_journal(mimic_control):
    """
    Each test reads only its own requests from Mimic's journal.
    """
    mimic_control.clear_requests()


def test_server_create_refused_with_500(cloud, mimic_control, world):
    mimic_control.fail("compute.server.create", parameters={"code": 500}, times=1)
    with pytest.raises(exceptions.HttpException) as refused:
        cloud.compute.create_server(name="web-2", image_id=world["image"], flavor_id=world["flavor"])
    assert refused.value.status_code == 500
    # Nothing was made, and the client asked exactly once (no blind retry).
    assert [s.name for s in cloud.compute.servers()] == ["web-1"]
    mimic_control.assert_requested("POST", "/servers$", times=1, status="5xx")


def test_new_server_goes_to_error(cloud, mimic_control, world):
    mimic_control.fail("compute.server.create", "error", times=1)
    server = cloud.compute.create_server(name="web-2", image_id=world["image"], flavor_id=world["flavor"])
    with pytest.raises(exceptions.ResourceFailure):
        cloud.compute.wait_for_server(server, wait=10)
    assert cloud.compute.get_server(server.id).status == "ERROR"


def test_delete_fails_twice_then_succeeds(cloud, mimic_control, world):
    mimic_control.fail("compute.server.delete", parameters={"code": 503}, times=2)
    for attempt in range(2):
        with pytest.raises(exceptions.HttpException) as refused:
            cloud.compute.delete_server(world["web"])
        assert refused.value.status_code == 503
    cloud.compute.delete_server(world["web"])
    assert list(cloud.compute.servers()) == []
    mimic_control.assert_requested("DELETE", "/servers/" + world["web"] + "$", times=3)


def test_each_test_starts_from_the_same_world(cloud):
    # Whatever the tests before did (web-2 made, web-1 deleted), the
    # snapshot brought back the world as it was saved.
    assert [s.name for s in cloud.compute.servers()] == ["web-1"]
