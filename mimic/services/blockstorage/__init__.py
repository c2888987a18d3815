"""
Block storage (Cinder v3), as Rackspace's ``cloudBlockStorage``: volumes,
snapshots, backups and attachments, shared with compute through
:class:`mimic.interfaces.IVolumes`.
"""
