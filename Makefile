# meterbridge: `make run` serves on the embedded SQLite default; `make test` runs every test.
SWIFT ?= swift
CONFIG ?= debug

.PHONY: deps build release run test bench vectors clean

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build -c $(CONFIG) --product meterbridge

release: deps
	$(SWIFT) build -c release --product meterbridge

run: build
	$(SWIFT) run -c $(CONFIG) meterbridge serve --dev

# Every test, with a throwaway PostgreSQL server for the PostgreSQL store's tests (scripts/with-postgres
# installs it when missing, exports MB_TEST_POSTGRES_URL and removes it afterwards). With
# MB_TEST_POSTGRES_URL already set, your own server is used instead.
test: deps
	scripts/with-postgres $(SWIFT) test

# Microbenchmarks (ordo-one/benchmark, its own package so they never slow `swift test`).
bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark

# Regenerates the stripe-python signature vectors the tests check against.
vectors:
	test -x scripts/.venv/bin/python || (python3 -m venv scripts/.venv && scripts/.venv/bin/pip install -q stripe)
	scripts/.venv/bin/python scripts/gen_signature_vectors.py > Tests/BillingCoreTests/Vectors/signature-vectors.json

clean:
	rm -rf .build Benchmarks/.build
