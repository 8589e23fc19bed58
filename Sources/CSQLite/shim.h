// The system's SQLite (libsqlite3-dev): the embedded default store.
#ifndef METERBRIDGE_CSQLITE_SHIM_H
#define METERBRIDGE_CSQLITE_SHIM_H

#include <sqlite3.h>

#endif
