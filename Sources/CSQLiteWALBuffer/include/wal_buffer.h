// A SQLite VFS that writes a commit's WAL frames in a few large writes instead of two per frame (see wal_buffer.c).
#ifndef METERBRIDGE_WAL_BUFFER_H
#define METERBRIDGE_WAL_BUFFER_H

/// Registers the VFS (not as the default) on first call and returns its name for sqlite3_open_v2; NULL when SQLite
/// has no default VFS to wrap or registration failed. Safe to call from several threads.
const char *mb_wal_buffer_vfs(void);

#endif
