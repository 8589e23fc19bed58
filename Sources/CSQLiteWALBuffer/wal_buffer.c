// A SQLite VFS, over the platform's default one, that gathers the appends to a WAL file into a few large writes.
//
// SQLite appends each WAL frame with two writes (the 24-byte frame header, then the page), so a group commit of 64
// webhooks issues some 500 pwrite calls on the store's one writer thread, each straddling page-cache pages that the
// next one dirties again. Here the appends collect in a buffer and reach the file in writes of 124 KB, before the
// sync that makes the commit durable: 0.24 write calls per stored webhook instead of 8.1 (BENCHMARKS.md).
//
// Why this is safe: readers (other connections, other processes, the checkpointer) find WAL frames through the
// wal-index, and SQLite updates the wal-index only after the commit's frames are written and the WAL is synced
// (sqlite3WalFrames). So every frame a reader can reach has already left the buffer, provided the connection syncs at
// commit: it must run with PRAGMA synchronous=FULL or EXTRA (the Swift side checks). Anything that could observe the
// file (a read by this same connection, its size, a truncation, a sync, close) first flushes the buffer. A crash
// loses at most the frames of a commit that had not synced yet: a transaction that never reported success.
//
// Only WAL files are wrapped; the database file, its shared-memory index and journals get the default VFS's own
// methods untouched, so locking and shared memory behave exactly as without this VFS.

#include "wal_buffer.h"

#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

#define MB_WAL_BUFFER_VFS_NAME "meterbridge-wal-buffer"
// A commit larger than this is flushed before it is complete; 4 MiB is about a thousand frames.
#define MB_WAL_BUFFER_CAPACITY (4 * 1024 * 1024)
// The most the default VFS writes in one call: unix's seekAndWriteFd masks a write's length to 17 bits (it expects
// pages), so a longer write comes out short and is reported as SQLITE_FULL. 31 pages, under 128 KiB.
#define MB_WAL_WRITE_CHUNK (31 * 4096)

typedef struct BufferedFile {
    sqlite3_file base;   // must come first: SQLite sees this struct as a sqlite3_file
    sqlite3_file *real;  // the default VFS's file, stored right after this struct
    unsigned char *buffer;
    sqlite3_int64 start;  // file offset of buffer[0]
    int length;           // bytes buffered
} BufferedFile;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs buffer_vfs;
static const char *registered_name;

// Writes out what is buffered; on failure the buffered bytes are dropped: the transaction they belong to fails.
static int flush(BufferedFile *file) {
    int rc = SQLITE_OK;
    for (int done = 0; done < file->length && rc == SQLITE_OK; done += MB_WAL_WRITE_CHUNK) {
        int amount = file->length - done < MB_WAL_WRITE_CHUNK ? file->length - done : MB_WAL_WRITE_CHUNK;
        rc = file->real->pMethods->xWrite(file->real, file->buffer + done, amount, file->start + done);
    }
    file->length = 0;
    return rc;
}

static int buffered_close(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    int flushed = flush(file);
    int closed = file->real->pMethods->xClose(file->real);
    sqlite3_free(file->buffer);
    file->buffer = NULL;
    return flushed != SQLITE_OK ? flushed : closed;
}

static int buffered_read(sqlite3_file *handle, void *out, int amount, sqlite3_int64 offset) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xRead(file->real, out, amount, offset);
}

static int buffered_write(sqlite3_file *handle, const void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *file = (BufferedFile *)handle;
    // Only appends gather; anything else (SQLite rewriting a frame it spilled earlier in a large transaction, the
    // header after a restart) first writes out what is buffered, so writes reach the file in the order SQLite made them.
    if (file->length > 0 && (offset != file->start + file->length || file->length + amount > MB_WAL_BUFFER_CAPACITY)) {
        int rc = flush(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (amount > MB_WAL_WRITE_CHUNK) {
        // Not a frame (SQLite writes headers and pages): pass it on as it is.
        return file->real->pMethods->xWrite(file->real, data, amount, offset);
    }
    if (file->buffer == NULL) {
        file->buffer = sqlite3_malloc(MB_WAL_BUFFER_CAPACITY);
        if (file->buffer == NULL) return file->real->pMethods->xWrite(file->real, data, amount, offset);
    }
    if (file->length == 0) file->start = offset;
    memcpy(file->buffer + file->length, data, amount);
    file->length += amount;
    return SQLITE_OK;
}

static int buffered_truncate(sqlite3_file *handle, sqlite3_int64 size) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xTruncate(file->real, size);
}

static int buffered_sync(sqlite3_file *handle, int flags) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xSync(file->real, flags);
}

static int buffered_file_size(sqlite3_file *handle, sqlite3_int64 *size) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFileSize(file->real, size);
}

static int buffered_lock(sqlite3_file *handle, int level) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xLock(file->real, level);
}

static int buffered_unlock(sqlite3_file *handle, int level) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xUnlock(file->real, level);
}

static int buffered_check_reserved_lock(sqlite3_file *handle, int *reserved) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xCheckReservedLock(file->real, reserved);
}

static int buffered_file_control(sqlite3_file *handle, int op, void *argument) {
    BufferedFile *file = (BufferedFile *)handle;
    // Some controls (size hints, chunk sizes) act on the file's contents; let them see all of it.
    int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFileControl(file->real, op, argument);
}

static int buffered_sector_size(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xSectorSize(file->real);
}

static int buffered_device_characteristics(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}

// A WAL file has no shared memory and is not memory-mapped; these only forward, for completeness of version 3.
static int buffered_shm_map(sqlite3_file *handle, int region, int size, int extend, void volatile **memory) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xShmMap(file->real, region, size, extend, memory);
}

static int buffered_shm_lock(sqlite3_file *handle, int offset, int count, int flags) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xShmLock(file->real, offset, count, flags);
}

static void buffered_shm_barrier(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    file->real->pMethods->xShmBarrier(file->real);
}

static int buffered_shm_unmap(sqlite3_file *handle, int delete_flag) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xShmUnmap(file->real, delete_flag);
}

static int buffered_fetch(sqlite3_file *handle, sqlite3_int64 offset, int amount, void **pointer) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFetch(file->real, offset, amount, pointer);
}

static int buffered_unfetch(sqlite3_file *handle, sqlite3_int64 offset, void *pointer) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xUnfetch(file->real, offset, pointer);
}

static const sqlite3_io_methods buffered_methods = {
    3,
    buffered_close,
    buffered_read,
    buffered_write,
    buffered_truncate,
    buffered_sync,
    buffered_file_size,
    buffered_lock,
    buffered_unlock,
    buffered_check_reserved_lock,
    buffered_file_control,
    buffered_sector_size,
    buffered_device_characteristics,
    buffered_shm_map,
    buffered_shm_lock,
    buffered_shm_barrier,
    buffered_shm_unmap,
    buffered_fetch,
    buffered_unfetch,
};

static int buffer_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *handle, int flags, int *out_flags) {
    (void)vfs;
    if ((flags & SQLITE_OPEN_WAL) == 0) {
        // Not a WAL: the default VFS's own file, in place (this VFS's szOsFile is larger than the default's).
        return real_vfs->xOpen(real_vfs, name, handle, flags, out_flags);
    }
    BufferedFile *file = (BufferedFile *)handle;
    memset(file, 0, sizeof(*file));
    file->real = (sqlite3_file *)(file + 1);
    int rc = real_vfs->xOpen(real_vfs, name, file->real, flags, out_flags);
    // SQLite calls xClose only when pMethods is set; leave it NULL when the real open failed.
    file->base.pMethods = (rc == SQLITE_OK && file->real->pMethods) ? &buffered_methods : NULL;
    return rc;
}

static pthread_once_t registration = PTHREAD_ONCE_INIT;

static void register_vfs(void) {
    real_vfs = sqlite3_vfs_find(NULL);
    if (real_vfs == NULL) return;
    // A copy of the default VFS with its own xOpen: SQLite passes this copy, not the original, to the other methods,
    // and unix's ignore that argument (their `NotUsed`; unixFullPathname only asserts on mxPathname, copied too).
    buffer_vfs = *real_vfs;
    buffer_vfs.pNext = NULL;
    buffer_vfs.zName = MB_WAL_BUFFER_VFS_NAME;
    buffer_vfs.szOsFile = (int)sizeof(BufferedFile) + real_vfs->szOsFile;
    buffer_vfs.xOpen = buffer_open;
    if (sqlite3_vfs_register(&buffer_vfs, 0) == SQLITE_OK) registered_name = MB_WAL_BUFFER_VFS_NAME;
}

const char *mb_wal_buffer_vfs(void) {
    pthread_once(&registration, register_vfs);
    return registered_name;
}
