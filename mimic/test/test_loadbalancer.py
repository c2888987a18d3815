# -*- test-case-name: mimic.test.test_loadbalancer -*-
"""
The Cloud Load Balancers API as a client sees it: balancers, nodes, their
settings and metadata, status transitions on Mimic's clock, limits and
tenant isolation.
"""

from __future__ import annotations

from typing import Any

from mimic.test.test_loadbalancer_helpers import LB_TYPE, LoadBalancerTestCase, balancer_spec


class CreateTests(LoadBalancerTestCase):
    def test_create_answers_202_with_balancer_in_build(self) -> None:
        balancer = self.create(algorithm="ROUND_ROBIN", metadata=[{"key": "role", "value": "web"}])
        self.assertEqual(balancer["status"], "BUILD")
        self.assertEqual(balancer["name"], "web")
        self.assertEqual(balancer["protocol"], "HTTP")
        self.assertEqual(balancer["port"], 80)
        self.assertEqual(balancer["algorithm"], "ROUND_ROBIN")
        self.assertEqual(balancer["nodes"][0]["address"], "10.0.0.1")
        self.assertEqual(balancer["nodes"][0]["status"], "ONLINE")
        self.assertEqual(
            [(m["key"], m["value"]) for m in balancer["metadata"]], [("role", "web")]
        )

    def test_public_virtual_ip_gets_ipv4_and_ipv6_addresses(self) -> None:
        balancer = self.create()
        self.assertEqual(
            [(v["type"], v["ipVersion"]) for v in balancer["virtualIps"]],
            [("PUBLIC", "IPV4"), ("PUBLIC", "IPV6")],
        )

    def test_servicenet_virtual_ip_is_ipv4_only(self) -> None:
        balancer = self.create(virtualIps=[{"type": "SERVICENET"}])
        self.assertEqual(
            [(v["type"], v["ipVersion"]) for v in balancer["virtualIps"]],
            [("SERVICENET", "IPV4")],
        )

    def test_shared_virtual_ip_needs_another_port(self) -> None:
        first = self.create()
        vip_id = first["virtualIps"][0]["id"]
        second = self.create(port=8080, virtualIps=[{"id": vip_id}])
        self.assertEqual(second["virtualIps"][0]["address"], first["virtualIps"][0]["address"])
        response = self.request(
            "POST", "", {"loadBalancer": balancer_spec(virtualIps=[{"id": vip_id}])}
        )
        self.assertError(response, 400)

    def test_created_balancer_becomes_active_without_waiting(self) -> None:
        """
        By default the transitions take no time, so a client polling for
        ACTIVE finds it on its first poll even if nobody advances the clock.
        """
        balancer = self.create()
        self.assertEqual(self.status(balancer["id"]), "ACTIVE")

    def test_port_defaults_to_the_protocols_port(self) -> None:
        spec = balancer_spec(protocol="HTTPS")
        del spec["port"]
        response = self.request("POST", "", {"loadBalancer": spec})
        self.assertEqual(response.json()["loadBalancer"]["port"], 443)


def pyrax_node(address: str, port: int) -> dict[str, Any]:
    """
    A node as pyrax's ``Node.to_dict`` sends it when neither a type nor an
    id was given (its weight is never sent).
    """
    return {"address": address, "port": port, "condition": "ENABLED", "type": None, "id": None}


def pyrax_create_body() -> dict[str, Any]:
    """
    The body pyrax's ``CloudLoadBalancerManager._create_body`` sends for
    ``clb.create("web", port=80, protocol="HTTP", nodes=[node],
    virtual_ips=[clb.VirtualIP(type="PUBLIC")])``: every attribute it was
    not given is there as ``null``.
    """
    return {
        "loadBalancer": {
            "name": "web",
            "port": 80,
            "protocol": "HTTP",
            "nodes": [pyrax_node("10.0.0.1", 80)],
            "virtualIps": [{"type": "PUBLIC", "ipVersion": "IPV4"}],
            "algorithm": "RANDOM",
            "halfClosed": None,
            "accessList": None,
            "connectionLogging": None,
            "connectionThrottle": None,
            "healthMonitor": None,
            "metadata": None,
            "timeout": None,
            "sessionPersistence": None,
            "httpsRedirect": None,
        }
    }


class NullAttributeTests(LoadBalancerTestCase):
    """
    An attribute given as JSON ``null`` is taken as not given, as the real
    service takes it: pyrax sends the attributes it was not given that way.
    """

    def test_pyrax_create_body_creates_a_balancer_with_the_defaults(self) -> None:
        response = self.request("POST", "", pyrax_create_body())
        self.assertEqual(response.code, 202, response)
        created = response.json()["loadBalancer"]
        self.assertEqual(self.status(created["id"]), "ACTIVE")
        shown = self.show(created["id"])
        self.assertEqual((shown["name"], shown["port"], shown["protocol"]), ("web", 80, "HTTP"))
        self.assertEqual(shown["algorithm"], "RANDOM")
        self.assertEqual(shown["timeout"], 30)
        self.assertEqual(shown["halfClosed"], False)
        self.assertEqual(shown["connectionLogging"], {"enabled": False})
        node = shown["nodes"][0]
        self.assertEqual(
            (node["address"], node["port"], node["type"], node["weight"]),
            ("10.0.0.1", 80, "PRIMARY", 1),
        )
        self.assertIsInstance(node["id"], int)
        self.assertNotIn("healthMonitor", shown)
        self.assertEqual(self.request("GET", f"/{created['id']}/metadata").json()["metadata"], [])
        self.assertEqual(self.request("GET", f"/{created['id']}/accesslist").json()["accessList"], [])

    def test_pyrax_add_nodes_body_adds_the_nodes(self) -> None:
        lb = self.create()
        response = self.request(
            "POST", f"/{lb['id']}/nodes", {"nodes": [pyrax_node("10.0.0.2", 8080)]}
        )
        self.assertEqual(response.code, 202, response)
        added = response.json()["nodes"][0]
        self.assertEqual((added["address"], added["type"]), ("10.0.0.2", "PRIMARY"))

    def test_null_weight_condition_and_type_of_a_node_take_the_defaults(self) -> None:
        node = {"address": "10.0.0.3", "port": 80, "condition": None, "weight": None, "type": None}
        created = self.create(nodes=[node])
        shown = created["nodes"][0]
        self.assertEqual(
            (shown["condition"], shown["weight"], shown["type"]), ("ENABLED", 1, "PRIMARY")
        )

    def test_null_attributes_of_an_update_are_left_as_they_are(self) -> None:
        lb = self.create(timeout=60)
        body = {"loadBalancer": {"name": "renamed", "timeout": None, "algorithm": None, "port": None}}
        self.assertEqual(self.request("PUT", f"/{lb['id']}", body).code, 202)
        shown = self.show(lb["id"])
        self.assertEqual(
            (shown["name"], shown["timeout"], shown["algorithm"], shown["port"]),
            ("renamed", 60, "RANDOM", 80),
        )

    def test_null_attributes_of_a_node_update_are_left_as_they_are(self) -> None:
        lb = self.create()
        node_id = lb["nodes"][0]["id"]
        body = {"node": {"condition": "DRAINING", "weight": None, "type": None, "id": None}}
        self.assertEqual(self.request("PUT", f"/{lb['id']}/nodes/{node_id}", body).code, 202)
        node = self.request("GET", f"/{lb['id']}/nodes/{node_id}").json()["node"]
        self.assertEqual((node["condition"], node["weight"], node["type"]), ("DRAINING", 1, "PRIMARY"))

    def test_required_attribute_given_as_null_is_400_as_if_missing(self) -> None:
        body = pyrax_create_body()
        body["loadBalancer"]["name"] = None
        refused = self.assertError(self.request("POST", "", body), 400, "Validation Failure")
        spec = balancer_spec()
        del spec["name"]
        missing = self.assertError(self.request("POST", "", {"loadBalancer": spec}), 400)
        self.assertEqual(refused, missing)
        self.assertEqual(self.request("GET").json()["loadBalancers"], [])

    def test_update_of_nothing_but_nulls_is_400(self) -> None:
        lb = self.create()
        response = self.request("PUT", f"/{lb['id']}", {"loadBalancer": {"name": None, "timeout": None}})
        self.assertError(response, 400, "Validation Failure")


class UnwrappedCreateTests(LoadBalancerTestCase):
    """
    pkgcloud creates a balancer without the ``{"loadBalancer": ...}``
    wrapper, and the real service takes it, as it takes unwrapped updates.
    """

    def test_pkgcloud_create_body_creates_a_balancer(self) -> None:
        # What pkgcloud's createLoadBalancer sends for its documented
        # example: name, nodes (``[]`` when none are given), the protocol's
        # name and port, the virtual IPs; then any of accessList, algorithm,
        # connectionLogging, connectionThrottle, healthMonitor, metadata,
        # timeout and sessionPersistence it was given.
        body = {
            "name": "my-load-balancer",
            "nodes": [],
            "protocol": "HTTP",
            "port": 80,
            "virtualIps": [{"type": "PUBLIC"}],
            "algorithm": "ROUND_ROBIN",
            "timeout": 45,
            "metadata": [{"key": "owner", "value": "web-team"}],
        }
        response = self.request("POST", "", body)
        self.assertEqual(response.code, 202, response)
        created = response.json()["loadBalancer"]
        self.assertEqual(created["status"], "BUILD")
        shown = self.show(created["id"])
        self.assertEqual(
            (shown["name"], shown["protocol"], shown["port"], shown["algorithm"], shown["timeout"]),
            ("my-load-balancer", "HTTP", 80, "ROUND_ROBIN", 45),
        )
        self.assertEqual(
            [(m["key"], m["value"]) for m in shown["metadata"]], [("owner", "web-team")]
        )

    def test_unwrapped_and_wrapped_creates_make_the_same_balancer(self) -> None:
        wrapped = self.request("POST", "", {"loadBalancer": balancer_spec(name="a")}).json()
        unwrapped = self.request("POST", "", balancer_spec(name="b")).json()
        strip = lambda b: {k: v for k, v in b.items() if k not in ("id", "name", "virtualIps", "nodes")}
        self.assertEqual(strip(wrapped["loadBalancer"]), strip(unwrapped["loadBalancer"]))


class UnwrappedBodiesTests(LoadBalancerTestCase):
    """
    Every body that is one object under one name is taken without its
    wrapper too, and means the same: the real service takes pkgcloud's
    unwrapped creates and health monitors and libcloud's unwrapped
    updates, so Mimic holds one rule for all of them.
    """

    def test_each_single_object_body_is_taken_wrapped_or_not(self) -> None:
        lb_id = self.create()["id"]
        node_id = self.show(lb_id)["nodes"][0]["id"]
        monitor = {"type": "CONNECT", "delay": 10, "timeout": 10, "attemptsBeforeDeactivation": 3}
        throttle = {"maxConnections": 10, "minConnections": 5, "maxConnectionRate": 0, "rateInterval": 60}
        for path, key, body, shown in (
            ("", "loadBalancer", {"name": "renamed"}, None),
            (f"/nodes/{node_id}", "node", {"condition": "DRAINING"}, None),
            ("/healthmonitor", "healthMonitor", monitor, monitor),
            ("/connectionthrottle", "connectionThrottle", throttle, throttle),
            ("/sessionpersistence", "sessionPersistence", {"persistenceType": "SOURCE_IP"},
             {"persistenceType": "SOURCE_IP"}),
            ("/connectionlogging", "connectionLogging", {"enabled": True}, {"enabled": True}),
            ("/contentcaching", "contentCaching", {"enabled": True}, {"enabled": True}),
            ("/errorpage", "errorpage", {"content": "<html>down</html>"}, {"content": "<html>down</html>"}),
        ):
            for sent in ({key: body}, body):
                response = self.request("PUT", f"/{lb_id}{path}", sent)
                self.assertEqual(response.code, 202, (path, sent, response))
                if shown is not None:
                    self.assertEqual(self.request("GET", f"/{lb_id}{path}").json()[key], shown, path)
        self.assertEqual(self.show(lb_id)["name"], "renamed")
        self.assertEqual(self.show(lb_id)["nodes"][0]["condition"], "DRAINING")

    def test_an_unwrapped_body_with_a_bad_value_is_refused_like_a_wrapped_one(self) -> None:
        lb_id = self.create()["id"]
        for path, key, body in (
            ("/sessionpersistence", "sessionPersistence", {"persistenceType": "MAGIC"}),
            ("/connectionlogging", "connectionLogging", {"enabled": "yes"}),
            ("/errorpage", "errorpage", {"content": ""}),
        ):
            wrapped = self.request("PUT", f"/{lb_id}{path}", {key: body})
            unwrapped = self.request("PUT", f"/{lb_id}{path}", body)
            self.assertError(unwrapped, 400)
            self.assertEqual(unwrapped.json(), wrapped.json())


class ListTests(LoadBalancerTestCase):
    def test_list_shows_summaries_with_node_count(self) -> None:
        created = self.create()
        listed = self.request("GET").json()["loadBalancers"]
        self.assertEqual([b["id"] for b in listed], [created["id"]])
        self.assertEqual(listed[0]["nodeCount"], 1)
        self.assertNotIn("nodes", listed[0])

    def test_list_filters_by_status(self) -> None:
        building = self.create(name="slow", metadata=[{"key": "lb_building", "value": "30"}])
        active = self.create(name="fast")
        by_status = lambda s: [b["id"] for b in self.request("GET", f"?status={s}").json()["loadBalancers"]]
        self.assertEqual(by_status("BUILD"), [building["id"]])
        self.assertEqual(by_status("ACTIVE"), [active["id"]])

    def test_list_with_unknown_status_is_400(self) -> None:
        self.assertError(self.request("GET", "?status=SLEEPING"), 400)

    def test_list_pages_with_limit_and_marker(self) -> None:
        ids = [self.create(name=f"lb{i}")["id"] for i in range(5)]
        first = self.request("GET", "?limit=2").json()
        self.assertEqual([b["id"] for b in first["loadBalancers"]], ids[:2])
        self.assertEqual(first["links"][0]["rel"], "next")
        self.assertIn(f"marker={ids[1]}", first["links"][0]["href"])
        second = self.request("GET", f"?limit=2&marker={ids[1]}").json()
        self.assertEqual([b["id"] for b in second["loadBalancers"]], ids[2:4])
        last = self.request("GET", f"?limit=2&marker={ids[3]}").json()
        self.assertEqual([b["id"] for b in last["loadBalancers"]], ids[4:])
        self.assertNotIn("links", last)

    def test_list_filters_by_node_address(self) -> None:
        self.create(name="a")
        b = self.create(name="b", nodes=[{"address": "10.0.0.9", "port": 80, "condition": "ENABLED"}])
        found = self.request("GET", "?nodeaddress=10.0.0.9").json()["loadBalancers"]
        self.assertEqual([x["id"] for x in found], [b["id"]])

    def test_list_filters_by_changes_since(self) -> None:
        self.create(name="old")
        self.mimic.tick(60)
        newer = self.create(name="new")
        since = newer["created"]["time"]
        found = self.request("GET", f"?changes-since={since}").json()["loadBalancers"]
        self.assertEqual([x["name"] for x in found], ["new"])


class UpdateTests(LoadBalancerTestCase):
    def test_update_changes_attributes_and_answers_202(self) -> None:
        lb = self.create()
        response = self.request(
            "PUT", f"/{lb['id']}", {"loadBalancer": {"name": "renamed", "algorithm": "LEAST_CONNECTIONS", "timeout": 60}}
        )
        self.assertEqual(response.code, 202)
        shown = self.show(lb["id"])
        self.assertEqual(
            (shown["name"], shown["algorithm"], shown["timeout"]),
            ("renamed", "LEAST_CONNECTIONS", 60),
        )

    def test_update_without_wrapper_is_accepted_as_libcloud_sends_it(self) -> None:
        lb = self.create()
        self.assertEqual(self.request("PUT", f"/{lb['id']}", {"port": 8080}).code, 202)
        self.assertEqual(self.show(lb["id"])["port"], 8080)

    def test_update_of_virtual_ips_is_refused(self) -> None:
        lb = self.create()
        response = self.request("PUT", f"/{lb['id']}", {"loadBalancer": {"virtualIps": []}})
        self.assertError(response, 400, "Validation Failure")

    def test_update_while_building_is_422_immutable(self) -> None:
        lb = self.create(metadata=[{"key": "lb_building", "value": "20"}])
        response = self.request("PUT", f"/{lb['id']}", {"loadBalancer": {"name": "x"}})
        self.assertError(
            response,
            422,
            f"Load Balancer '{lb['id']}' has a status of 'BUILD' and is considered immutable.",
        )
        self.assertEqual(self.show(lb["id"])["name"], "web")

    def test_building_balancer_becomes_active_when_the_clock_reaches_it(self) -> None:
        lb = self.create(metadata=[{"key": "lb_building", "value": "20"}])
        self.mimic.tick(19)
        self.assertEqual(self.status(lb["id"]), "BUILD")
        self.mimic.tick(1)
        self.assertEqual(self.status(lb["id"]), "ACTIVE")


class DeleteTests(LoadBalancerTestCase):
    def test_deleted_balancer_stays_readable_as_deleted(self) -> None:
        lb = self.create()
        self.assertEqual(self.request("DELETE", f"/{lb['id']}").code, 202)
        self.assertEqual(self.status(lb["id"]), "DELETED")

    def test_deleted_balancer_is_not_listed_unless_asked_for(self) -> None:
        lb = self.create()
        self.request("DELETE", f"/{lb['id']}")
        self.assertEqual(self.request("GET").json()["loadBalancers"], [])
        deleted = self.request("GET", "?status=DELETED").json()["loadBalancers"]
        self.assertEqual([b["id"] for b in deleted], [lb["id"]])

    def test_deleted_balancer_is_forgotten_after_90_days(self) -> None:
        lb = self.create()
        self.request("DELETE", f"/{lb['id']}")
        self.mimic.tick(90 * 24 * 3600)
        self.access = self.mimic.authenticate("lb-user")  # the old token expired
        self.assertError(self.request("GET", f"/{lb['id']}"), 404)

    def test_deleted_balancer_leaves_the_deleted_listing_after_90_days(self) -> None:
        lb = self.create()
        self.request("DELETE", f"/{lb['id']}")
        self.mimic.tick(90 * 24 * 3600 - 1)
        self.access = self.mimic.authenticate("lb-user")  # the old token expired
        listed = self.request("GET", "?status=DELETED").json()["loadBalancers"]
        self.assertEqual([b["id"] for b in listed], [lb["id"]])
        self.mimic.tick(1)
        self.assertEqual(self.request("GET", "?status=DELETED").json()["loadBalancers"], [])
        self.assertError(self.request("GET", f"/{lb['id']}"), 404)

    def test_nodes_of_deleted_balancer_are_gone_410(self) -> None:
        lb = self.create()
        self.request("DELETE", f"/{lb['id']}")
        self.assertError(self.request("GET", f"/{lb['id']}/nodes"), 410)

    def test_deleting_twice_is_400(self) -> None:
        lb = self.create()
        self.request("DELETE", f"/{lb['id']}")
        self.assertError(self.request("DELETE", f"/{lb['id']}"), 400)

    def test_delete_unknown_balancer_returns_404(self) -> None:
        self.assertError(self.request("DELETE", "/9999"), 404, "Load balancer not found")

    def test_delete_while_building_is_422(self) -> None:
        lb = self.create(metadata=[{"key": "lb_building", "value": "5"}])
        self.assertError(self.request("DELETE", f"/{lb['id']}"), 422)

    def test_batch_delete_deletes_every_named_balancer(self) -> None:
        a, b, c = (self.create(name=n)["id"] for n in "abc")
        self.assertEqual(self.request("DELETE", f"?id={a}&id={b}").code, 202)
        self.assertEqual([self.status(i) for i in (a, b, c)], ["DELETED", "DELETED", "ACTIVE"])

    def test_batch_delete_with_unknown_id_deletes_nothing(self) -> None:
        a = self.create()["id"]
        body = self.assertError(self.request("DELETE", f"?id={a}&id=777"), 400)
        self.assertIn("777", body["message"])
        self.assertEqual(self.status(a), "ACTIVE")

    def test_batch_delete_names_every_unknown_id_in_clbs_words(self) -> None:
        a = self.create()["id"]
        self.assertError(
            self.request("DELETE", f"?id=777&id={a}&id=778"),
            400,
            "Must provide valid load balancers: 777,778 could not be found.",
        )

    def test_batch_delete_of_a_building_balancer_is_400_immutable_and_deletes_nothing(self) -> None:
        a = self.create()["id"]
        building = self.create(metadata=[{"key": "lb_building", "value": "20"}])["id"]
        self.assertError(
            self.request("DELETE", f"?id={a}&id={building}"),
            400,
            f"Must provide valid load balancers: {building} are immutable "
            "and could not be processed.",
        )
        self.assertEqual(self.status(a), "ACTIVE")

    def test_deleting_a_balancer_being_deleted_is_400_immutable(self) -> None:
        lb = self.create(metadata=[{"key": "lb_pending_delete", "value": "20"}])
        self.assertEqual(self.request("DELETE", f"/{lb['id']}").code, 202)
        self.assertError(
            self.request("DELETE", f"/{lb['id']}"),
            400,
            f"Must provide valid load balancers: {lb['id']} are immutable "
            "and could not be processed.",
        )

    def test_deleting_a_deleted_balancer_is_400_could_not_be_found(self) -> None:
        lb = self.create()
        self.request("DELETE", f"/{lb['id']}")
        self.assertError(
            self.request("DELETE", f"/{lb['id']}"),
            400,
            f"Must provide valid load balancers: {lb['id']} could not be found.",
        )

    def test_batch_delete_without_ids_is_400(self) -> None:
        self.assertError(
            self.request("DELETE", ""), 400, "Must supply one or more id's to process this request."
        )

    def test_batch_delete_over_the_limit_is_400(self) -> None:
        query = "&".join(f"id={i}" for i in range(1, 12))
        self.assertError(self.request("DELETE", f"?{query}"), 400)


class NodeTests(LoadBalancerTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.lb = self.create()
        self.nodes = f"/{self.lb['id']}/nodes"

    def test_add_several_nodes_answers_202_with_the_new_nodes(self) -> None:
        response = self.request(
            "POST",
            self.nodes,
            {"nodes": [
                {"address": "10.0.0.2", "port": 80, "condition": "ENABLED"},
                {"address": "10.0.0.3", "port": 80, "condition": "DISABLED", "weight": 5},
            ]},
        )
        self.assertEqual(response.code, 202)
        added = response.json()["nodes"]
        self.assertEqual([n["address"] for n in added], ["10.0.0.2", "10.0.0.3"])
        self.assertEqual([n["status"] for n in added], ["ONLINE", "OFFLINE"])
        listed = self.request("GET", self.nodes).json()["nodes"]
        self.assertEqual(len(listed), 3)

    def test_get_node(self) -> None:
        node = self.lb["nodes"][0]
        response = self.request("GET", f"{self.nodes}/{node['id']}")
        self.assertEqual(response.json()["node"], node)

    def test_get_unknown_node_returns_404(self) -> None:
        self.assertError(self.request("GET", f"{self.nodes}/424242"), 404, "Node not found")

    def test_update_node_condition_weight_and_type(self) -> None:
        node_id = self.lb["nodes"][0]["id"]
        response = self.request(
            "PUT", f"{self.nodes}/{node_id}",
            {"node": {"condition": "DRAINING", "weight": 7, "type": "SECONDARY"}},
        )
        self.assertEqual(response.code, 202)
        node = self.request("GET", f"{self.nodes}/{node_id}").json()["node"]
        self.assertEqual((node["condition"], node["weight"], node["type"]), ("DRAINING", 7, "SECONDARY"))

    def test_update_node_address_is_a_validation_failure(self) -> None:
        node_id = self.lb["nodes"][0]["id"]
        response = self.request("PUT", f"{self.nodes}/{node_id}", {"node": {"address": "1.2.3.4"}})
        body = self.assertError(response, 400, "Validation Failure")
        self.assertEqual(body["validationErrors"]["messages"], ["Node ip field cannot be modified."])

    def test_delete_node(self) -> None:
        node_id = self.lb["nodes"][0]["id"]
        self.assertEqual(self.request("DELETE", f"{self.nodes}/{node_id}").code, 202)
        self.assertEqual(self.request("GET", self.nodes).json()["nodes"], [])

    def test_delete_node_of_a_building_balancer_is_422_immutable_and_keeps_it(self) -> None:
        lb = self.create(metadata=[{"key": "lb_building", "value": "20"}])
        node_id = lb["nodes"][0]["id"]
        response = self.request("DELETE", f"/{lb['id']}/nodes/{node_id}")
        self.assertError(
            response,
            422,
            f"Load Balancer '{lb['id']}' has a status of 'BUILD' and is considered immutable.",
        )
        self.assertEqual(len(self.show(lb["id"])["nodes"]), 1)

    def test_batch_delete_nodes(self) -> None:
        added = self.request(
            "POST", self.nodes, {"nodes": [{"address": "10.0.0.2", "port": 80, "condition": "ENABLED"}]}
        ).json()["nodes"]
        ids = [self.lb["nodes"][0]["id"], added[0]["id"]]
        self.assertEqual(self.request("DELETE", f"{self.nodes}?id={ids[0]}&id={ids[1]}").code, 202)
        self.assertEqual(self.request("GET", self.nodes).json()["nodes"], [])

    def test_batch_delete_unknown_node_is_a_validation_failure(self) -> None:
        body = self.assertError(self.request("DELETE", f"{self.nodes}?id=31337"), 400)
        self.assertEqual(
            body["validationErrors"]["messages"], ["Node ids 31337 are not a part of your loadbalancer"]
        )

    def test_batch_delete_unknown_node_answers_clbs_whole_validation_body(self) -> None:
        """
        Clients read ``message`` and ``details`` as well as the messages.
        """
        body = self.assertError(self.request("DELETE", f"{self.nodes}?id=31337"), 400)
        self.assertEqual(
            body,
            {
                "validationErrors": {
                    "messages": ["Node ids 31337 are not a part of your loadbalancer"]
                },
                "message": "Validation Failure",
                "code": 400,
                "details": "The object is not valid",
            },
        )

    def test_duplicate_node_is_413(self) -> None:
        response = self.request(
            "POST", self.nodes, {"nodes": [{"address": "10.0.0.1", "port": 80, "condition": "ENABLED"}]}
        )
        self.assertError(response, 413)

    def test_more_than_25_nodes_is_413(self) -> None:
        nodes = [{"address": f"10.1.0.{i}", "port": 80, "condition": "ENABLED"} for i in range(25)]
        response = self.request("POST", self.nodes, {"nodes": nodes})
        self.assertError(response, 413, "Nodes must not exceed 25 per load balancer.")
        self.assertEqual(len(self.request("GET", self.nodes).json()["nodes"]), 1)

    def test_node_change_while_pending_update_is_422(self) -> None:
        lb = self.create(metadata=[{"key": "lb_pending_update", "value": "30"}])
        nodes = f"/{lb['id']}/nodes"
        first = self.request("POST", nodes, {"nodes": [{"address": "10.0.0.2", "port": 80, "condition": "ENABLED"}]})
        self.assertEqual(first.code, 202)
        self.assertEqual(self.status(lb["id"]), "PENDING_UPDATE")
        second = self.request("POST", nodes, {"nodes": [{"address": "10.0.0.3", "port": 80, "condition": "ENABLED"}]})
        self.assertError(
            second,
            422,
            f"Load Balancer '{lb['id']}' has a status of 'PENDING_UPDATE' and is considered immutable.",
        )
        self.mimic.tick(30)
        self.assertEqual(self.status(lb["id"]), "ACTIVE")


class SettingsTests(LoadBalancerTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.lb = self.create()
        self.base = f"/{self.lb['id']}"

    def test_health_monitor_set_read_and_removed(self) -> None:
        monitor = {"type": "HTTP", "delay": 10, "timeout": 5, "attemptsBeforeDeactivation": 2,
                   "path": "/health", "statusRegex": "^2", "bodyRegex": ".*"}
        self.assertEqual(self.request("PUT", self.base + "/healthmonitor", {"healthMonitor": monitor}).code, 202)
        self.assertEqual(self.request("GET", self.base + "/healthmonitor").json(), {"healthMonitor": monitor})
        self.assertEqual(self.show(self.lb["id"])["healthMonitor"], monitor)
        self.assertEqual(self.request("DELETE", self.base + "/healthmonitor").code, 202)
        self.assertEqual(self.request("GET", self.base + "/healthmonitor").json(), {"healthMonitor": {}})

    def test_connect_health_monitor_needs_its_numbers(self) -> None:
        response = self.request("PUT", self.base + "/healthmonitor", {"healthMonitor": {"type": "CONNECT"}})
        body = self.assertError(response, 400, "Validation Failure")
        self.assertEqual(len(body["validationErrors"]["messages"]), 3)

    def test_connection_throttle(self) -> None:
        throttle = {"maxConnections": 100, "minConnections": 10, "maxConnectionRate": 50, "rateInterval": 60}
        self.assertEqual(self.request("PUT", self.base + "/connectionthrottle", {"connectionThrottle": throttle}).code, 202)
        self.assertEqual(self.request("GET", self.base + "/connectionthrottle").json()["connectionThrottle"], throttle)
        self.request("DELETE", self.base + "/connectionthrottle")
        self.assertEqual(self.request("GET", self.base + "/connectionthrottle").json()["connectionThrottle"], {})

    def test_session_persistence(self) -> None:
        self.request("PUT", self.base + "/sessionpersistence", {"sessionPersistence": {"persistenceType": "SOURCE_IP"}})
        self.assertEqual(
            self.request("GET", self.base + "/sessionpersistence").json(),
            {"sessionPersistence": {"persistenceType": "SOURCE_IP"}},
        )
        self.assertError(
            self.request("PUT", self.base + "/sessionpersistence", {"sessionPersistence": {"persistenceType": "MAGIC"}}),
            400,
        )

    def test_connection_logging_and_content_caching(self) -> None:
        for path, key in (("/connectionlogging", "connectionLogging"), ("/contentcaching", "contentCaching")):
            self.assertEqual(self.request("PUT", self.base + path, {key: {"enabled": True}}).code, 202)
            self.assertEqual(self.request("GET", self.base + path).json(), {key: {"enabled": True}})
            self.assertEqual(self.show(self.lb["id"])[key], {"enabled": True})

    def test_access_list_add_list_and_delete(self) -> None:
        rules = [{"address": "10.0.0.0/8", "type": "ALLOW"}, {"address": "0.0.0.0/0", "type": "DENY"}]
        self.assertEqual(self.request("POST", self.base + "/accesslist", {"accessList": rules}).code, 202)
        listed = self.request("GET", self.base + "/accesslist").json()["accessList"]
        self.assertEqual([(r["address"], r["type"]) for r in listed], [(r["address"], r["type"]) for r in rules])
        self.assertEqual(self.request("DELETE", f"{self.base}/accesslist/{listed[0]['id']}").code, 202)
        self.assertEqual(len(self.request("GET", self.base + "/accesslist").json()["accessList"]), 1)
        self.assertEqual(self.request("DELETE", self.base + "/accesslist").code, 202)
        self.assertEqual(self.request("GET", self.base + "/accesslist").json()["accessList"], [])

    def test_access_list_rejects_bad_addresses(self) -> None:
        response = self.request("POST", self.base + "/accesslist", {"accessList": [{"address": "nowhere", "type": "ALLOW"}]})
        self.assertError(response, 400)

    def test_error_page_default_custom_and_reset(self) -> None:
        default = self.request("GET", self.base + "/errorpage").json()["errorpage"]["content"]
        self.request("PUT", self.base + "/errorpage", {"errorpage": {"content": "<html>oops</html>"}})
        self.assertEqual(self.request("GET", self.base + "/errorpage").json()["errorpage"]["content"], "<html>oops</html>")
        self.request("DELETE", self.base + "/errorpage")
        self.assertEqual(self.request("GET", self.base + "/errorpage").json()["errorpage"]["content"], default)

    def test_virtual_ips_listed(self) -> None:
        vips = self.request("GET", self.base + "/virtualips").json()["virtualIps"]
        self.assertEqual(vips, self.lb["virtualIps"])

    def test_setting_change_goes_through_pending_update(self) -> None:
        lb = self.create(metadata=[{"key": "lb_pending_update", "value": "5"}])
        self.request("PUT", f"/{lb['id']}/connectionlogging", {"connectionLogging": {"enabled": True}})
        self.assertEqual(self.status(lb["id"]), "PENDING_UPDATE")
        self.mimic.tick(5)
        self.assertEqual(self.status(lb["id"]), "ACTIVE")


class MetadataTests(LoadBalancerTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.lb = self.create()
        self.meta = f"/{self.lb['id']}/metadata"

    def test_add_list_change_and_delete_balancer_metadata(self) -> None:
        added = self.request("POST", self.meta, {"metadata": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]})
        self.assertEqual(added.code, 200)
        items = added.json()["metadata"]
        self.assertEqual([(i["key"], i["value"]) for i in items], [("a", "1"), ("b", "2")])
        self.assertEqual(self.request("PUT", f"{self.meta}/{items[0]['id']}", {"meta": {"value": "9"}}).code, 200)
        self.assertEqual(self.request("GET", f"{self.meta}/{items[0]['id']}").json()["meta"]["value"], "9")
        self.assertEqual(self.request("DELETE", f"{self.meta}?id={items[1]['id']}").code, 200)
        self.assertEqual([i["key"] for i in self.request("GET", self.meta).json()["metadata"]], ["a"])
        self.assertEqual(self.request("DELETE", f"{self.meta}/{items[0]['id']}").code, 200)
        self.assertEqual(self.request("GET", self.meta).json()["metadata"], [])

    def test_duplicate_metadata_key_is_400(self) -> None:
        self.request("POST", self.meta, {"metadata": [{"key": "a", "value": "1"}]})
        self.assertError(self.request("POST", self.meta, {"metadata": [{"key": "a", "value": "2"}]}), 400)

    def test_node_metadata(self) -> None:
        node_meta = f"/{self.lb['id']}/nodes/{self.lb['nodes'][0]['id']}/metadata"
        added = self.request("POST", node_meta, {"metadata": [{"key": "zone", "value": "b"}]}).json()["metadata"]
        self.assertEqual(self.request("GET", node_meta).json()["metadata"], added)
        self.assertEqual(self.request("GET", self.meta).json()["metadata"], [])

    def test_metadata_over_the_limit_is_413(self) -> None:
        items = [{"key": f"k{i}", "value": "v"} for i in range(26)]
        self.assertError(self.request("POST", self.meta, {"metadata": items}), 413)


class OldMetadataKeyTests(LoadBalancerTestCase):
    """
    The old mimic's keys (``lb_building``, ``lb_pending_update``,
    ``lb_pending_delete``, ``lb_error_state``) on a balancer take numbers
    as the old mimic did; Mimic keeps them as the strings CLB keeps.
    Every other value must be a string, as CLB requires.
    """

    def meta(self, lb: dict[str, Any]) -> dict[str, str]:
        items = self.request("GET", f"/{lb['id']}/metadata").json()["metadata"]
        return {i["key"]: i["value"] for i in items}

    def test_lb_building_as_a_number_holds_build_for_those_seconds(self) -> None:
        lb = self.create(metadata=[{"key": "lb_building", "value": 20}])
        self.assertEqual(self.meta(lb), {"lb_building": "20"})
        self.mimic.tick(19)
        self.assertEqual(self.status(lb["id"]), "BUILD")
        self.mimic.tick(1)
        self.assertEqual(self.status(lb["id"]), "ACTIVE")

    def test_fractional_seconds_and_numeric_strings_are_taken_too(self) -> None:
        fractional = self.create(name="f", metadata=[{"key": "lb_building", "value": 2.5}])
        spaced = self.create(name="s", metadata=[{"key": "lb_building", "value": " 3 "}])
        self.mimic.tick(2)
        self.assertEqual([self.status(fractional["id"]), self.status(spaced["id"])], ["BUILD", "BUILD"])
        self.mimic.tick(1)
        self.assertEqual([self.status(fractional["id"]), self.status(spaced["id"])], ["ACTIVE", "ACTIVE"])

    def test_every_old_key_takes_a_number_at_creation(self) -> None:
        lb = self.create(metadata=[
            {"key": "lb_pending_update", "value": 5},
            {"key": "lb_pending_delete", "value": 7},
            {"key": "lb_error_state", "value": 1},
        ])
        self.assertEqual(
            self.meta(lb),
            {"lb_pending_update": "5", "lb_pending_delete": "7", "lb_error_state": "1"},
        )

    def test_pending_delete_added_as_a_number_through_the_metadata_api(self) -> None:
        lb = self.create()
        added = self.request(
            "POST", f"/{lb['id']}/metadata", {"metadata": [{"key": "lb_pending_delete", "value": 20}]}
        )
        self.assertEqual(added.code, 200, added)
        self.assertEqual(added.json()["metadata"][0]["value"], "20")
        self.request("DELETE", f"/{lb['id']}")
        self.mimic.tick(19)
        self.assertEqual(self.status(lb["id"]), "PENDING_DELETE")
        self.mimic.tick(1)
        self.assertEqual(self.status(lb["id"]), "DELETED")

    def test_pending_update_changed_to_a_number_through_the_metadata_api(self) -> None:
        lb = self.create(metadata=[{"key": "lb_pending_update", "value": "1"}])
        item = self.request("GET", f"/{lb['id']}/metadata").json()["metadata"][0]
        changed = self.request("PUT", f"/{lb['id']}/metadata/{item['id']}", {"meta": {"value": 30}})
        self.assertEqual(changed.code, 200, changed)
        self.request("PUT", f"/{lb['id']}", {"loadBalancer": {"name": "renamed"}})
        self.mimic.tick(29)
        self.assertEqual(self.status(lb["id"]), "PENDING_UPDATE")
        self.mimic.tick(1)
        self.assertEqual(self.status(lb["id"]), "ACTIVE")

    def test_error_state_as_a_number_sends_the_next_change_to_error(self) -> None:
        lb = self.create(metadata=[{"key": "lb_error_state", "value": 1}])
        self.assertEqual(self.request("PUT", f"/{lb['id']}", {"loadBalancer": {"name": "x"}}).code, 202)
        self.assertEqual(self.status(lb["id"]), "ERROR")

    def test_other_keys_still_need_string_values(self) -> None:
        response = self.request("POST", "", {"loadBalancer": balancer_spec(metadata=[{"key": "role", "value": 20}])})
        body = self.assertError(response, 400, "Validation Failure")
        self.assertEqual(body["validationErrors"]["messages"], ["The metadata value must be a string."])
        lb = self.create()
        item = self.request(
            "POST", f"/{lb['id']}/metadata", {"metadata": [{"key": "role", "value": "web"}]}
        ).json()["metadata"][0]
        self.assertError(self.request("PUT", f"/{lb['id']}/metadata/{item['id']}", {"meta": {"value": 20}}), 400)

    def test_old_keys_take_no_booleans_and_on_nodes_no_numbers(self) -> None:
        refused = self.request(
            "POST", "", {"loadBalancer": balancer_spec(metadata=[{"key": "lb_building", "value": True}])}
        )
        self.assertError(refused, 400)
        lb = self.create()
        node_meta = f"/{lb['id']}/nodes/{lb['nodes'][0]['id']}/metadata"
        self.assertError(
            self.request("POST", node_meta, {"metadata": [{"key": "lb_building", "value": 20}]}), 400
        )

    def test_a_negative_number_is_a_bad_trigger_as_its_string_is(self) -> None:
        for value in (-5, "-5"):
            response = self.request(
                "POST", "", {"loadBalancer": balancer_spec(metadata=[{"key": "lb_building", "value": value}])}
            )
            self.assertError(response, 400)
        self.assertEqual(self.request("GET").json()["loadBalancers"], [])


class ServiceInfoTests(LoadBalancerTestCase):
    def test_protocols_with_default_ports(self) -> None:
        protocols = {p["name"]: p["port"] for p in self.request("GET", "/protocols").json()["protocols"]}
        self.assertEqual(protocols["HTTP"], 80)
        self.assertEqual(protocols["HTTPS"], 443)
        self.assertIn("IMAPv4", protocols)

    def test_algorithms(self) -> None:
        names = [a["name"] for a in self.request("GET", "/algorithms").json()["algorithms"]]
        self.assertIn("ROUND_ROBIN", names)
        self.assertIn("WEIGHTED_LEAST_CONNECTIONS", names)

    def test_absolute_limits(self) -> None:
        limits = {a["name"]: a["value"] for a in self.request("GET", "/absolutelimits").json()["absolute"]}
        self.assertEqual(limits["NODE_LIMIT"], 25)
        self.assertEqual(limits["LOADBALANCER_LIMIT"], 25)

    def test_more_balancers_than_the_limit_is_413(self) -> None:
        for i in range(25):
            self.create(name=f"lb{i}")
        response = self.request("POST", "", {"loadBalancer": balancer_spec(name="one-too-many")})
        self.assertError(response, 413)

    def test_unknown_path_is_clb_404(self) -> None:
        self.assertError(self.request("GET", "/1/nonsense"), 404)

    def test_unsupported_method_is_clb_405(self) -> None:
        self.assertError(self.request("PATCH", "/protocols"), 405)

    def test_unsupported_method_names_the_allowed_ones(self) -> None:
        response = self.request("PATCH", "/protocols")
        self.assertEqual(response.header("allow"), "GET, HEAD")


class IsolationTests(LoadBalancerTestCase):
    def test_other_tenant_cannot_see_or_touch_a_balancer(self) -> None:
        lb = self.create()
        other = self.mimic.authenticate("someone-else")
        other_url = other.endpoint(LB_TYPE, "ORD") + "/loadbalancers"
        self.assertEqual(self.mimic.request("GET", other_url, token=other.token).json()["loadBalancers"], [])
        response = self.mimic.request("GET", f"{other_url}/{lb['id']}", token=other.token)
        self.assertError(response, 404)

    def test_token_of_another_tenant_is_refused_403(self) -> None:
        other = self.mimic.authenticate("someone-else")
        response = self.mimic.request("GET", self.url, token=other.token)
        self.assertError(response, 403)

    def test_missing_token_is_401(self) -> None:
        self.assertError(self.mimic.request("GET", self.url), 401)

    def test_regions_are_separate(self) -> None:
        self.create()
        dfw = self.access.endpoint(LB_TYPE, "DFW") + "/loadbalancers"
        self.assertEqual(self.mimic.request("GET", dfw, token=self.access.token).json()["loadBalancers"], [])

    def test_state_dump_summarises_balancers(self) -> None:
        self.create()
        summary = self.mimic.core.state_summary()["loadbalancer"][self.access.tenant_id]["ORD"]
        self.assertEqual(summary["loadbalancers"], 1)
        self.assertEqual(summary["by_status"], {"ACTIVE": 1})
