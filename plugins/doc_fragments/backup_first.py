# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The backup a module that changes the metabase makes first."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  backup:
    description:
      - A new metabase backup version (IIsComputer.Backup, as
        M(webfarm.iis_cluster.metabase_backup) with O(webfarm.iis_cluster.metabase_backup#module:state=new)
        makes it), made on the node only when the task changes the metabase, after the identity
        was proven and just before the change, in the same remote execution. If the backup fails,
        nothing is written.
      - Without it, no backup is made.
    type: dict
    suboptions:
      name:
        description:
          - The backup's name; each backup is a new version of it. The names
            M(webfarm.iis_cluster.metabase_backup) refuses are refused.
        type: str
        required: true
      keep:
        description:
          - How many versions of O(backup.name) the node keeps, the new one included, from 1 to
            20; the oldest are deleted once the new one exists.
        type: int
        default: 5
"""

    # IIS 7-10: a backup of applicationHost.config (apphost_backup's folders).
    APPHOST = r"""
options:
  backup:
    description:
      - A new IIS configuration backup version (a folder C(<name>-<version>) of
        C(%windir%\system32\inetsrv\backup), as M(webfarm.iis_cluster.apphost_backup) with
        O(webfarm.iis_cluster.apphost_backup#module:state=new) makes it), made on the node only when
        the task changes its configuration, after every check of the change passed and just before
        it, in the same remote execution. If the backup fails, nothing is written.
      - Without it, no backup is made.
    type: dict
    suboptions:
      name:
        description:
          - The backup's name; each backup is a new version of it. The names
            M(webfarm.iis_cluster.apphost_backup) refuses are refused.
        type: str
        required: true
      keep:
        description:
          - How many versions of O(backup.name) the node keeps, the new one included, from 1 to
            20; the oldest are deleted once the new one exists.
        type: int
        default: 5
"""
