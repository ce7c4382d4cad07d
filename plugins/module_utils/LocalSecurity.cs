// Copyright (c) webfarm.iis_cluster contributors
// GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

// A host's own security, as node_ops reads and changes it: names and SIDs (LookupAccountName,
// LookupAccountSid), local group membership (NetLocalGroup*) and user rights (the LSA policy).
// A failure throws a Win32Exception with Windows' code (and netmsg.dll's text for a NERR_*
// status), which node_ops reports as the instruction's error.

//AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetApiErrors

using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Security.Principal;
using System.Text;
using ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetApiErrors;

namespace ansible_collections.webfarm.iis_cluster.plugins.module_utils.LocalSecurity
{
    // A security principal as node_ops reports it: SID, AUTHORITY\name and SID_NAME_USE.
    public class Principal
    {
        public string Sid;
        public string Name;
        public int Use;
    }

    public static class Principals
    {
        private const int ERROR_INSUFFICIENT_BUFFER = 122;
        private const int ERROR_NONE_MAPPED = 1332;

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool LookupAccountName(string system, string name, byte[] sid, ref int sidSize,
            StringBuilder domain, ref int domainSize, out int use);

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool LookupAccountSid(string system, byte[] sid, StringBuilder name, ref int nameSize,
            StringBuilder domain, ref int domainSize, out int use);

        // The principal a name maps to on this host, or null (ERROR_NONE_MAPPED).
        public static Principal FromName(string name)
        {
            int sidSize = 0, domainSize = 0, use;
            if (!LookupAccountName(null, name, null, ref sidSize, null, ref domainSize, out use))
            {
                int error = Marshal.GetLastWin32Error();
                if (error == ERROR_NONE_MAPPED)
                    return null;
                if (error != ERROR_INSUFFICIENT_BUFFER)
                    throw new Win32Exception(error);
            }
            byte[] sid = new byte[sidSize];
            StringBuilder domain = new StringBuilder(domainSize);
            if (!LookupAccountName(null, name, sid, ref sidSize, domain, ref domainSize, out use))
                throw new Win32Exception(Marshal.GetLastWin32Error());
            return FromSid(new SecurityIdentifier(sid, 0).Value);
        }

        // The principal with this SID as the host names it. A SID the host cannot name keeps its SID
        // as its name and SID_NAME_USE 8 (SidTypeUnknown), as Windows' own tools show it: one no
        // account has any more (ERROR_NONE_MAPPED), and one of a domain the host cannot reach
        // now (ERROR_TRUSTED_RELATIONSHIP_FAILURE, RPC_S_SERVER_UNAVAILABLE, ...), which must not
        // fail a whole group or right listing.
        public static Principal FromSid(string sidText)
        {
            SecurityIdentifier identifier = new SecurityIdentifier(sidText);
            byte[] sid = new byte[identifier.BinaryLength];
            identifier.GetBinaryForm(sid, 0);
            Principal unknown = new Principal { Sid = sidText, Name = sidText, Use = 8 };
            int nameSize = 0, domainSize = 0, use;
            if (!LookupAccountSid(null, sid, null, ref nameSize, null, ref domainSize, out use)
                && Marshal.GetLastWin32Error() != ERROR_INSUFFICIENT_BUFFER)
                return unknown;
            StringBuilder name = new StringBuilder(nameSize);
            StringBuilder domain = new StringBuilder(domainSize);
            if (!LookupAccountSid(null, sid, name, ref nameSize, domain, ref domainSize, out use))
                return unknown;
            string qualified = domain.Length > 0 ? domain + "\\" + name : name.ToString();
            return new Principal { Sid = sidText, Name = qualified, Use = use };
        }
    }

    public static class LocalGroups
    {
        private const int MAX_PREFERRED_LENGTH = -1;

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct LOCALGROUP_MEMBERS_INFO_2
        {
            public IntPtr lgrmi2_sid;
            public int lgrmi2_sidusage;
            public string lgrmi2_domainandname;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct LOCALGROUP_MEMBERS_INFO_0
        {
            public IntPtr lgrmi0_sid;
        }

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetLocalGroupGetMembers(string server, string group, int level, out IntPtr buffer,
            int preferredLength, out int entriesRead, out int totalEntries, IntPtr resumeHandle);

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetLocalGroupAddMembers(string server, string group, int level,
            ref LOCALGROUP_MEMBERS_INFO_0 members, int count);

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetLocalGroupDelMembers(string server, string group, int level,
            ref LOCALGROUP_MEMBERS_INFO_0 members, int count);

        [DllImport("netapi32.dll")]
        private static extern int NetApiBufferFree(IntPtr buffer);

        public static List<Principal> GetMembers(string group)
        {
            IntPtr buffer;
            int read, total;
            int status = NetLocalGroupGetMembers(null, group, 2, out buffer, MAX_PREFERRED_LENGTH, out read,
                out total, IntPtr.Zero);
            if (status != 0)
                throw NetApiError.Create(status);
            try
            {
                List<Principal> members = new List<Principal>();
                int size = Marshal.SizeOf(typeof(LOCALGROUP_MEMBERS_INFO_2));
                for (int index = 0; index < read; index++)
                {
                    IntPtr entry = new IntPtr(buffer.ToInt64() + (long)index * size);
                    LOCALGROUP_MEMBERS_INFO_2 member = (LOCALGROUP_MEMBERS_INFO_2)Marshal.PtrToStructure(entry,
                        typeof(LOCALGROUP_MEMBERS_INFO_2));
                    members.Add(new Principal
                    {
                        Sid = new SecurityIdentifier(member.lgrmi2_sid).Value,
                        Name = member.lgrmi2_domainandname,
                        Use = member.lgrmi2_sidusage,
                    });
                }
                return members;
            }
            finally
            {
                NetApiBufferFree(buffer);
            }
        }

        public static void AddMember(string group, string sid)
        {
            Change(group, sid, true);
        }

        public static void RemoveMember(string group, string sid)
        {
            Change(group, sid, false);
        }

        private static void Change(string group, string sidText, bool add)
        {
            SecurityIdentifier identifier = new SecurityIdentifier(sidText);
            byte[] sid = new byte[identifier.BinaryLength];
            identifier.GetBinaryForm(sid, 0);
            GCHandle pinned = GCHandle.Alloc(sid, GCHandleType.Pinned);
            try
            {
                LOCALGROUP_MEMBERS_INFO_0 member = new LOCALGROUP_MEMBERS_INFO_0 { lgrmi0_sid = pinned.AddrOfPinnedObject() };
                int status = add
                    ? NetLocalGroupAddMembers(null, group, 0, ref member, 1)
                    : NetLocalGroupDelMembers(null, group, 0, ref member, 1);
                if (status != 0)
                    throw NetApiError.Create(status);
            }
            finally
            {
                pinned.Free();
            }
        }
    }

    public static class UserRights
    {
        private const int POLICY_VIEW_LOCAL_INFORMATION = 0x0001;
        private const int POLICY_CREATE_ACCOUNT = 0x0010;
        private const int POLICY_LOOKUP_NAMES = 0x0800;
        private const uint STATUS_NO_MORE_ENTRIES = 0x8000001A;

        [StructLayout(LayoutKind.Sequential)]
        private struct LSA_OBJECT_ATTRIBUTES
        {
            public int Length;
            public IntPtr RootDirectory;
            public IntPtr ObjectName;
            public int Attributes;
            public IntPtr SecurityDescriptor;
            public IntPtr SecurityQualityOfService;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct LSA_UNICODE_STRING
        {
            public ushort Length;
            public ushort MaximumLength;
            public string Buffer;
        }

        [DllImport("advapi32.dll")]
        private static extern uint LsaOpenPolicy(IntPtr system, ref LSA_OBJECT_ATTRIBUTES attributes, int access,
            out IntPtr policy);

        [DllImport("advapi32.dll")]
        private static extern uint LsaEnumerateAccountsWithUserRight(IntPtr policy, ref LSA_UNICODE_STRING right,
            out IntPtr buffer, out int count);

        [DllImport("advapi32.dll")]
        private static extern uint LsaAddAccountRights(IntPtr policy, byte[] sid, LSA_UNICODE_STRING[] rights,
            int count);

        [DllImport("advapi32.dll")]
        private static extern int LsaNtStatusToWinError(uint status);

        [DllImport("advapi32.dll")]
        private static extern uint LsaFreeMemory(IntPtr buffer);

        [DllImport("advapi32.dll")]
        private static extern uint LsaClose(IntPtr policy);

        // The SIDs holding the right; none when LSA keeps no account for it.
        public static List<string> GetHolders(string right)
        {
            IntPtr policy = Open(POLICY_VIEW_LOCAL_INFORMATION | POLICY_LOOKUP_NAMES);
            try
            {
                LSA_UNICODE_STRING name = Unicode(right);
                IntPtr buffer;
                int count;
                uint status = LsaEnumerateAccountsWithUserRight(policy, ref name, out buffer, out count);
                List<string> holders = new List<string>();
                if (status == STATUS_NO_MORE_ENTRIES)
                    return holders;
                Check(status);
                try
                {
                    // An array of LSA_ENUMERATION_INFORMATION, each a single PSID.
                    for (int index = 0; index < count; index++)
                    {
                        IntPtr sid = Marshal.ReadIntPtr(buffer, index * IntPtr.Size);
                        holders.Add(new SecurityIdentifier(sid).Value);
                    }
                }
                finally
                {
                    LsaFreeMemory(buffer);
                }
                return holders;
            }
            finally
            {
                LsaClose(policy);
            }
        }

        public static void Grant(string right, string sidText)
        {
            SecurityIdentifier identifier = new SecurityIdentifier(sidText);
            byte[] sid = new byte[identifier.BinaryLength];
            identifier.GetBinaryForm(sid, 0);
            IntPtr policy = Open(POLICY_LOOKUP_NAMES | POLICY_CREATE_ACCOUNT);
            try
            {
                Check(LsaAddAccountRights(policy, sid, new LSA_UNICODE_STRING[] { Unicode(right) }, 1));
            }
            finally
            {
                LsaClose(policy);
            }
        }

        private static IntPtr Open(int access)
        {
            LSA_OBJECT_ATTRIBUTES attributes = new LSA_OBJECT_ATTRIBUTES();
            IntPtr policy;
            Check(LsaOpenPolicy(IntPtr.Zero, ref attributes, access, out policy));
            return policy;
        }

        private static LSA_UNICODE_STRING Unicode(string text)
        {
            return new LSA_UNICODE_STRING
            {
                Buffer = text,
                Length = (ushort)(text.Length * 2),
                MaximumLength = (ushort)((text.Length + 1) * 2),
            };
        }

        // An NTSTATUS as the Win32 error it stands for (STATUS_NO_SUCH_PRIVILEGE is 1313).
        private static void Check(uint status)
        {
            if (status != 0)
                throw new Win32Exception(LsaNtStatusToWinError(status));
        }
    }
}
