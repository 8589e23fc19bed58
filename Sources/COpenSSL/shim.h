// The slice of OpenSSL's libcrypto that meterbridge uses: one-shot HMAC and constant-time compare.
#ifndef METERBRIDGE_COPENSSL_SHIM_H
#define METERBRIDGE_COPENSSL_SHIM_H

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#endif
