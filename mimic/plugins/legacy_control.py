# -*- test-case-name: mimic.test.test_legacy_control -*-
"""
The old mimic's control entries in the service catalog, for test suites
that find them there by name: ``cloudServersBehavior`` and
``cloudLoadBalancerControl``, each with a type of its own unless the
setting ``legacy_control.service_types`` lists them under their service's
type (``compute``, ``rax:load-balancer``) as the old mimic did.  Each names
the two sides it joins: the shared ``behaviors`` of
:mod:`mimic.control.legacy`, and the service's own control app.
"""

from mimic.control.legacy import LegacyControlPlugin
from mimic.services.compute.control import ComputeControlAPI
from mimic.services.compute.plugin import REGIONS as COMPUTE_REGIONS
from mimic.services.loadbalancer.control import LoadBalancerControlAPI
from mimic.services.loadbalancer.plugin import REGIONS as LOADBALANCER_REGIONS

compute_control = LegacyControlPlugin(
    name="compute-control",
    service="compute",
    entry_type="mimic:compute-control",
    service_type="compute",
    entry_name="cloudServersBehavior",
    regions=COMPUTE_REGIONS,
    service_control=ComputeControlAPI,
)

loadbalancer_control = LegacyControlPlugin(
    name="loadbalancer-control",
    service="loadbalancer",
    entry_type="mimic:load-balancer-control",
    service_type="rax:load-balancer",
    entry_name="cloudLoadBalancerControl",
    regions=LOADBALANCER_REGIONS,
    service_control=LoadBalancerControlAPI,
)
