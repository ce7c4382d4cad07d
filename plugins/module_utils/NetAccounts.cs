// Copyright (c) webfarm.iis_cluster contributors
// GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

// The NetAPI user and global group calls of node_ops' domain_* operations. Every call passes no
// server name, so it acts on the account database of the host it runs on: the domain's on a
// domain controller. A failure throws a Win32Exception with the NetAPI status (NERR_* or a Win32
// code, with netmsg.dll's text for a NERR_* status), which node_ops reports as the instruction's
// error. Flags cross to PowerShell as uint: PowerShell refuses to convert a value with a bit the
// enum does not name (UF_LOCKOUT, UF_NOT_DELEGATED, ...) to the enum, and accounts carry such bits.

//AnsibleRequires -CSharpUtil ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetApiErrors

using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Security.Principal;
using ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetApiErrors;

namespace ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetAccounts
{
    // The USER_INFO flags (lmaccess.h) that node_ops reads and writes; the flags themselves are uint.
    [Flags]
    public enum UserFlags : uint
    {
        Script = 0x0001,
        AccountDisable = 0x0002,
        PasswordCannotChange = 0x0040,
        NormalAccount = 0x0200,
        InterdomainTrustAccount = 0x0800,
        WorkstationTrustAccount = 0x1000,
        ServerTrustAccount = 0x2000,
        DontExpirePassword = 0x10000,
    }

    // What NetUserGetInfo level 23 reports about a user.
    public class UserInfo
    {
        public string Name;
        public string Comment;
        public string UserComment;
        public uint Flags;
        public string Sid;
    }

    public static class NetUser
    {
        private const int NERR_Success = 0;
        private const int NERR_UserNotFound = 2221;
        private const int USER_PRIV_USER = 1;
        private const int MAX_PREFERRED_LENGTH = -1;

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct USER_INFO_1
        {
            public string usri1_name;
            public string usri1_password;
            public int usri1_password_age;
            public int usri1_priv;
            public string usri1_home_dir;
            public string usri1_comment;
            public uint usri1_flags;
            public string usri1_script_path;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct USER_INFO_10
        {
            public string usri10_name;
            public string usri10_comment;
            public string usri10_usr_comment;
            public string usri10_full_name;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct USER_INFO_23
        {
            public string usri23_name;
            public string usri23_full_name;
            public string usri23_comment;
            public uint usri23_flags;
            public IntPtr usri23_user_sid;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct USER_INFO_1003
        {
            public string usri1003_password;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct USER_INFO_1007
        {
            public string usri1007_comment;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct USER_INFO_1012
        {
            public string usri1012_usr_comment;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct USER_INFO_1008
        {
            public uint usri1008_flags;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct GROUP_USERS_INFO_0
        {
            public string grui0_name;
        }

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetUserAdd(string server, int level, ref USER_INFO_1 info, out int parameterError);

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetUserGetInfo(string server, string user, int level, out IntPtr buffer);

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode, EntryPoint = "NetUserSetInfo")]
        private static extern int SetPasswordInfo(string server, string user, int level, ref USER_INFO_1003 info,
            out int parameterError);

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode, EntryPoint = "NetUserSetInfo")]
        private static extern int SetCommentInfo(string server, string user, int level, ref USER_INFO_1007 info,
            out int parameterError);

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode, EntryPoint = "NetUserSetInfo")]
        private static extern int SetFlagsInfo(string server, string user, int level, ref USER_INFO_1008 info,
            out int parameterError);

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode, EntryPoint = "NetUserSetInfo")]
        private static extern int SetUserCommentInfo(string server, string user, int level, ref USER_INFO_1012 info,
            out int parameterError);

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetUserDel(string server, string user);

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetUserGetGroups(string server, string user, int level, out IntPtr buffer,
            int preferredLength, out int entriesRead, out int totalEntries);

        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetGroupAddUser(string server, string group, string user);

        [DllImport("netapi32.dll")]
        private static extern int NetApiBufferFree(IntPtr buffer);

        // The user, or null when there is none (NERR_UserNotFound).
        public static UserInfo GetUser(string name)
        {
            IntPtr buffer;
            int status = NetUserGetInfo(null, name, 23, out buffer);
            if (status == NERR_UserNotFound)
                return null;
            Check(status);
            UserInfo user;
            try
            {
                USER_INFO_23 info = (USER_INFO_23)Marshal.PtrToStructure(buffer, typeof(USER_INFO_23));
                user = new UserInfo
                {
                    Name = info.usri23_name,
                    Comment = info.usri23_comment,
                    Flags = info.usri23_flags,
                    Sid = new SecurityIdentifier(info.usri23_user_sid).Value,
                };
            }
            finally
            {
                NetApiBufferFree(buffer);
            }
            // Level 23 lacks the user comment, where the collection marks the accounts it made.
            Check(NetUserGetInfo(null, name, 10, out buffer));
            try
            {
                user.UserComment = ((USER_INFO_10)Marshal.PtrToStructure(buffer, typeof(USER_INFO_10))).usri10_usr_comment;
            }
            finally
            {
                NetApiBufferFree(buffer);
            }
            return user;
        }

        // The global groups the user is a direct member of, its primary group included.
        public static List<string> GetGroups(string name)
        {
            IntPtr buffer;
            int read, total;
            Check(NetUserGetGroups(null, name, 0, out buffer, MAX_PREFERRED_LENGTH, out read, out total));
            try
            {
                List<string> groups = new List<string>();
                int size = Marshal.SizeOf(typeof(GROUP_USERS_INFO_0));
                for (int index = 0; index < read; index++)
                {
                    IntPtr entry = new IntPtr(buffer.ToInt64() + (long)index * size);
                    groups.Add(((GROUP_USERS_INFO_0)Marshal.PtrToStructure(entry, typeof(GROUP_USERS_INFO_0))).grui0_name);
                }
                return groups;
            }
            finally
            {
                NetApiBufferFree(buffer);
            }
        }

        // USER_INFO_1 has no user comment: it is set right after the account is made.
        public static void AddUser(string name, string password, string comment, string userComment, uint flags)
        {
            USER_INFO_1 info = new USER_INFO_1
            {
                usri1_name = name,
                usri1_password = password,
                usri1_priv = USER_PRIV_USER,
                usri1_comment = comment,
                usri1_flags = flags | (uint)UserFlags.Script | (uint)UserFlags.NormalAccount,
            };
            int parameterError;
            Check(NetUserAdd(null, 1, ref info, out parameterError));
            if (!String.IsNullOrEmpty(userComment))
                SetUserComment(name, userComment);
        }

        public static void SetPassword(string name, string password)
        {
            USER_INFO_1003 info = new USER_INFO_1003 { usri1003_password = password };
            int parameterError;
            Check(SetPasswordInfo(null, name, 1003, ref info, out parameterError));
        }

        public static void SetComment(string name, string comment)
        {
            USER_INFO_1007 info = new USER_INFO_1007 { usri1007_comment = comment };
            int parameterError;
            Check(SetCommentInfo(null, name, 1007, ref info, out parameterError));
        }

        public static void SetUserComment(string name, string comment)
        {
            USER_INFO_1012 info = new USER_INFO_1012 { usri1012_usr_comment = comment };
            int parameterError;
            Check(SetUserCommentInfo(null, name, 1012, ref info, out parameterError));
        }

        public static void SetFlags(string name, uint flags)
        {
            USER_INFO_1008 info = new USER_INFO_1008 { usri1008_flags = flags };
            int parameterError;
            Check(SetFlagsInfo(null, name, 1008, ref info, out parameterError));
        }

        public static void DeleteUser(string name)
        {
            Check(NetUserDel(null, name));
        }

        public static void AddGroupMember(string group, string name)
        {
            Check(NetGroupAddUser(null, group, name));
        }

        private static void Check(int status)
        {
            if (status != NERR_Success)
                throw NetApiError.Create(status);
        }
    }
}
