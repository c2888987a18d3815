"""
The network service: Neutron v2.0, as Rackspace's ``cloudNetworks``.
"""
