// Copyright (c) webfarm.iis_cluster contributors
// GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

// What this computer may do with a (group) managed service account, as Test-ADServiceAccount
// asks it: NetQueryServiceAccount (level 0, MSA_INFO_0) and NetIsServiceAccount, which ask the
// domain with this computer's own credentials. Both return an NTSTATUS; a failure throws a
// Win32Exception with its Win32 code (LsaNtStatusToWinError).

using System;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace ansible_collections.webfarm.iis_cluster.plugins.module_utils.ServiceAccounts
{
    // MSA_INFO_STATE (lmaccess.h).
    public enum MsaState
    {
        NotExist = 1,
        NotService = 2,
        CannotInstall = 3,
        CanInstall = 4,
        Installed = 5,
    }

    public static class ServiceAccount
    {
        private const int MSA_INFO_LEVEL_0 = 0;

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetQueryServiceAccount(string serverName, string accountName, int infoLevel,
            out IntPtr buffer);

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetIsServiceAccount(string serverName, string accountName,
            [MarshalAs(UnmanagedType.Bool)] out bool isService);

        [DllImport("netapi32.dll")]
        private static extern int NetApiBufferFree(IntPtr buffer);

        [DllImport("advapi32.dll")]
        private static extern int LsaNtStatusToWinError(int status);

        // The account's state for this computer (MSA_INFO_0.State).
        public static MsaState QueryState(string accountName)
        {
            IntPtr buffer;
            int status = NetQueryServiceAccount(null, accountName, MSA_INFO_LEVEL_0, out buffer);
            if (status != 0)
                throw new Win32Exception(LsaNtStatusToWinError(status));
            try
            {
                return (MsaState)Marshal.ReadInt32(buffer);
            }
            finally
            {
                NetApiBufferFree(buffer);
            }
        }

        // Whether this computer can use the account: for a gMSA, retrieve its managed password.
        public static bool CanUse(string accountName)
        {
            bool isService;
            int status = NetIsServiceAccount(null, accountName, out isService);
            if (status != 0)
                throw new Win32Exception(LsaNtStatusToWinError(status));
            return isService;
        }
    }
}
