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

test: deps
	$(SWIFT) test

# Microbenchmarks (ordo-one/benchmark, its own package so they never slow `swift test`).
bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark

# Regenerates the stripe-python signature vectors the tests check against.
vectors:
	test -x scripts/.venv/bin/python || (python3 -m venv scripts/.venv && scripts/.venv/bin/pip install -q stripe)
	scripts/.venv/bin/python scripts/gen_signature_vectors.py > Tests/BillingCoreTests/Vectors/signature-vectors.json

clean:
	rm -rf .build Benchmarks/.build
