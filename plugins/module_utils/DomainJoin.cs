// Copyright (c) webfarm.iis_cluster contributors
// GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

// The NetBIOS name of the domain this host is joined to. NetGetJoinInformation answers from the
// local security authority: unlike Win32_NTDomain it asks no domain controller, and unlike
// %USERDOMAIN% it does not depend on the account the module runs as. A C# util rather than an
// Add-CSharpType block in IisClusterHostFacts.psm1: Ansible compiles it with the module's other
// C# utils, and no PowerShell util needs the module object that Add-CSharpType takes.

using System;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace ansible_collections.webfarm.iis_cluster.plugins.module_utils.DomainJoin
{
    public static class DomainJoin
    {
        private const int NetSetupDomainName = 3;

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetGetJoinInformation(string server, out IntPtr nameBuffer,
            out int bufferType);

        [DllImport("netapi32.dll")]
        private static extern int NetApiBufferFree(IntPtr buffer);

        public static string GetDomainName()
        {
            IntPtr nameBuffer;
            int joinStatus;
            int status = NetGetJoinInformation(null, out nameBuffer, out joinStatus);
            if (status != 0)
                throw new Win32Exception(status);
            try
            {
                return joinStatus == NetSetupDomainName ? Marshal.PtrToStringUni(nameBuffer) : null;
            }
            finally
            {
                NetApiBufferFree(nameBuffer);
            }
        }
    }
}
