// Copyright (c) webfarm.iis_cluster contributors
// GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

// The exception of a failed NetAPI call, with Windows' text for its status. NERR_* codes
// (2100-2999, lmerr.h) have their texts in netmsg.dll, not in the system message table that
// Win32Exception reads, which would give "Unknown error (0x8ad)".

using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

namespace ansible_collections.webfarm.iis_cluster.plugins.module_utils.NetApiErrors
{
    public static class NetApiError
    {
        private const int NERR_BASE = 2100;
        private const int MAX_NERR = 2999;
        private const uint LOAD_LIBRARY_AS_DATAFILE = 0x00000002;
        private const int FORMAT_MESSAGE_IGNORE_INSERTS = 0x00000200;
        private const int FORMAT_MESSAGE_FROM_HMODULE = 0x00000800;

        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryEx(string fileName, IntPtr file, uint flags);

        [DllImport("kernel32.dll")]
        private static extern bool FreeLibrary(IntPtr module);

        [DllImport("kernel32.dll", CharSet = CharSet.Unicode)]
        private static extern int FormatMessage(int flags, IntPtr source, int messageId, int languageId,
            StringBuilder buffer, int size, IntPtr arguments);

        // The exception for a NetAPI status: a Win32Exception with that code and its text.
        public static Win32Exception Create(int status)
        {
            string text = status >= NERR_BASE && status <= MAX_NERR ? NetMessage(status) : null;
            return text == null ? new Win32Exception(status) : new Win32Exception(status, text);
        }

        // netmsg.dll's text for a NERR_* code, or null when it has none (Win32Exception's own then).
        private static string NetMessage(int status)
        {
            IntPtr module = LoadLibraryEx("netmsg.dll", IntPtr.Zero, LOAD_LIBRARY_AS_DATAFILE);
            if (module == IntPtr.Zero)
                return null;
            try
            {
                StringBuilder buffer = new StringBuilder(1024);
                int length = FormatMessage(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_IGNORE_INSERTS, module, status, 0,
                    buffer, buffer.Capacity, IntPtr.Zero);
                return length == 0 ? null : buffer.ToString().Trim();
            }
            finally
            {
                FreeLibrary(module);
            }
        }
    }
}
