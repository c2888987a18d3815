# -*- test-case-name: mimic.test.test_image_model -*-
"""
What format a cloud's server snapshots are stored in, by profile.

Nova's ``createImage`` and ``createBackup`` store the server's disk
through Glance in the format its hypervisor writes: Rackspace's
XenServer hosts upload a VHD in an OVF container; a DevStack install's
libvirt/QEMU hosts a qcow2 disk in a bare container.  The image store
(:func:`mimic.services.image.model.image_store`) asks
:func:`snapshot_formats` for the core's profile.
"""

from __future__ import annotations

from attrs import frozen

from mimic.profiles import Profile


@frozen
class DiskFormats:
    """
    Glance's ``container_format`` and ``disk_format`` of an image, and
    whether, once active, it shows the digests and virtual size Glance
    works out from the data the hypervisor uploaded.
    """

    container_format: str
    disk_format: str
    with_digests: bool = False


#: Rackspace's snapshots (XenServer's), which have always shown no
#: digests in Mimic.
RACKSPACE_SNAPSHOTS = DiskFormats("ovf", "vhd")

#: DevStack's snapshots (libvirt with QEMU/KVM), with the digests of
#: the data Nova uploaded.
DEVSTACK_SNAPSHOTS = DiskFormats("bare", "qcow2", with_digests=True)


def snapshot_formats(profile: Profile) -> DiskFormats:
    """
    The formats a server's snapshot gets: Rackspace's for a profile with
    Rackspace's extensions, DevStack's for any other.
    """
    return RACKSPACE_SNAPSHOTS if profile.rackspace_extensions else DEVSTACK_SNAPSHOTS
