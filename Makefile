# hvfeat: a UEFI application (gnu-efi) plus a portable core that is also
# built and unit-tested on the host.

BUILD      := build
CORE_SRC   := $(wildcard core/*.c)
EFI_SRC    := $(wildcard efi/*.c)
HEADERS    := $(wildcard include/*.h core/*.h efi/*.h)

# --- firmware build (gnu-efi 3.0.15 as Debian ships it) -------------------
# ARCH=x86_64 (the default) or ARCH=aarch64. The portable core is the same
# for both; the firmware glue is efi/*.c plus efi/$(ARCH)/*.c. x86_64's
# outputs are build/*.efi, AArch64's build/aarch64/*.efi, so both can be
# built side by side.
ARCH ?= x86_64
# Our own flags, not the environment's: distro hardening flags such as
# -fstack-protector break EFI images.
EFI_COMMON_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -fpic -fshort-wchar \
              -ffreestanding -fno-strict-aliasing -fno-stack-protector \
              -fno-stack-check -fno-merge-all-constants -mgeneral-regs-only
EFI_LDFLAGS := -nostdlib --warn-common --no-undefined --fatal-warnings \
               --build-id=sha1 -shared -Bsymbolic
# The core's one x86-only file, the CPUID instruction; AArch64 has none
# (efi/aarch64/cpuid_hardware.c says so instead).
X86_ONLY_CORE := core/cpuid_hardware.c

ifeq ($(ARCH),x86_64)
EFI_OUT    := $(BUILD)
EFI_CC     := gcc
EFI_LD     := ld.bfd
EFI_OBJCOPY := objcopy
EFI_INC    := /usr/include/efi
EFI_LIB    := /usr/lib
EFI_ARCH_CFLAGS := -mno-red-zone -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI
EFI_CORE_SRC := $(CORE_SRC)
# The section list that matches 3.0.15's linker script (rodata lives in .data).
# --strip-all drops the COFF symbol table that would otherwise trail the last
# section, which sbsign reports as "gaps between PE/COFF sections".
EFI_OBJCOPY_FLAGS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym \
                     -j .rel -j .rela -j .rel.* -j .rela.* -j .reloc --strip-all \
                     --target efi-app-x86_64
EFI_TOOLS  := deps-build
else ifeq ($(ARCH),aarch64)
EFI_OUT    := $(BUILD)/aarch64
EFI_CC     := aarch64-linux-gnu-gcc
EFI_LD     := aarch64-linux-gnu-ld.bfd
EFI_OBJCOPY := aarch64-linux-gnu-objcopy
# Debian's gnu-efi:arm64, unpacked here, never installed: its files would
# take the paths of the amd64 package's.
GNU_EFI_AARCH64 := $(EFI_OUT)/gnu-efi
EFI_INC    := $(GNU_EFI_AARCH64)/usr/include/efi
EFI_LIB    := $(GNU_EFI_AARCH64)/usr/lib
# Atomics inline: GCC's outline ones ask the OS (getauxval) for LSE.
EFI_ARCH_CFLAGS := -mno-outline-atomics
EFI_CORE_SRC := $(filter-out $(X86_ONLY_CORE),$(CORE_SRC))
# gnu-efi 3.0.15 builds the AArch64 PE header inside its crt0 (there is no
# efi-app-aarch64 target in binutils): the image is the ELF's sections as
# raw bytes, and EFI_SUBSYSTEM (10: an application) fills in the header.
# Its linker script puts everything in one ELF segment, which binutils
# 2.39+ flags as RWX; the PE sections the firmware loads carry their own
# permissions, so the warning says nothing about the image.
EFI_LDFLAGS += --defsym=EFI_SUBSYSTEM=0xa --no-warn-rwx-segments
EFI_OBJCOPY_FLAGS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym \
                     -j .rel -j .rela -j .rel.* -j .rela.* -O binary
EFI_TOOLS  := $(GNU_EFI_AARCH64)/stamp
else
$(error ARCH=$(ARCH): hvfeat's firmware builds for x86_64 and aarch64)
endif

EFI_SRC    := $(wildcard efi/*.c efi/$(ARCH)/*.c)
EFI_CFLAGS := $(EFI_COMMON_CFLAGS) $(EFI_ARCH_CFLAGS) \
              -I$(EFI_INC) -I$(EFI_INC)/$(ARCH) -I$(EFI_INC)/protocol \
              -Iinclude -Icore -Iefi -Iefi/$(ARCH)
EFI_OBJ := $(patsubst %.c,$(EFI_OUT)/efi-obj/%.o,$(EFI_CORE_SRC) $(EFI_SRC))

all: $(EFI_OUT)/hvfeat.efi

$(EFI_OUT)/efi-obj/%.o: %.c $(HEADERS) | $(EFI_TOOLS)
	@mkdir -p $(dir $@)
	@echo "  CC (efi $(ARCH))  $<"
	@$(EFI_CC) $(EFI_CFLAGS) -c $< -o $@

$(EFI_OUT)/hvfeat.so: $(EFI_OBJ)
$(EFI_OUT)/null_app.so: $(EFI_OUT)/efi-obj/bench/null_app.o
# Test equipment for the firmware tests (tests/firmware/), never installed:
# a launcher of hvfeat, SMBIOS tables that end where their memory does, and
# the probes' fault guard on its own (x86_64).
$(BUILD)/launcher.so: $(BUILD)/efi-obj/tests/firmware/launcher.o
$(BUILD)/smbios_plant.so: $(BUILD)/efi-obj/tests/firmware/smbios_plant.o
$(BUILD)/efi-obj/tests/firmware/smbios_plant.o: tests/smbios_bytes.h
$(BUILD)/guard_check.so: $(BUILD)/efi-obj/tests/firmware/guard_check.o \
                         $(BUILD)/efi-obj/efi/x86_64/probe_machine.o \
                         $(BUILD)/efi-obj/efi/firmware_clock.o \
                         $(BUILD)/efi-obj/efi/firmware_tables.o \
                         $(patsubst %,$(BUILD)/efi-obj/core/%.o,acpi ascii clocks cpuid_hardware)

# ... and the SMCCC guard on its own (AArch64).
$(BUILD)/aarch64/guard_check.so: $(BUILD)/aarch64/efi-obj/tests/firmware/guard_check_aarch64.o \
                                 $(BUILD)/aarch64/efi-obj/efi/aarch64/smccc_machine.o

$(EFI_OUT)/%.so:
	@echo "  LD ($(ARCH))  $@"
	@$(EFI_LD) $(EFI_LDFLAGS) -T $(EFI_LIB)/elf_$(ARCH)_efi.lds -L$(EFI_LIB) \
	    $(EFI_LIB)/crt0-efi-$(ARCH).o $^ -o $@ -lefi -lgnuefi \
	    $(shell $(EFI_CC) -print-libgcc-file-name)

$(EFI_OUT)/%.efi: $(EFI_OUT)/%.so Makefile
	@echo "  OBJCOPY ($(ARCH))  $@"
	@$(EFI_OBJCOPY) $(EFI_OBJCOPY_FLAGS) $< $@

# The arm64 gnu-efi of the same version as the amd64 one the x86_64 build
# uses, downloaded by apt and unpacked into the build tree.
$(GNU_EFI_AARCH64)/stamp: | deps-aarch64
	rm -rf $(GNU_EFI_AARCH64) && mkdir -p $(GNU_EFI_AARCH64)/deb
	version=$$(dpkg-query -W -f='$${Version}' gnu-efi) && cd $(GNU_EFI_AARCH64)/deb && \
	    apt-get download -qq -o APT::Sandbox::User=root "gnu-efi:arm64=$$version"
	dpkg-deb -x $(GNU_EFI_AARCH64)/deb/gnu-efi_*_arm64.deb $(GNU_EFI_AARCH64)
	test -f $(EFI_LIB)/crt0-efi-aarch64.o -a -f $(EFI_LIB)/elf_aarch64_efi.lds
	dpkg-deb -f $(GNU_EFI_AARCH64)/deb/gnu-efi_*_arm64.deb Version > $@

# --- host build of the core, for unit tests -------------------------------
HOST_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -Iinclude -Icore
UNIT_TESTS  := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))
# What the unit tests share: recorded answers and helpers (recordings.h,
# arm_recordings.h), the SMBIOS bytes.
UNIT_HEADERS := $(wildcard tests/unit/*.h) tests/smbios_bytes.h
HOST_CORE_OBJ := $(patsubst %.c,$(BUILD)/host-obj/%.o,$(CORE_SRC))

$(BUILD)/host-obj/%.o: %.c $(HEADERS) | deps-build
	@mkdir -p $(dir $@)
	@echo "  CC (host) $<"
	@gcc $(HOST_CFLAGS) -c $< -o $@

host: $(BUILD)/hvfeat

$(BUILD)/hvfeat: host/main.c $(HOST_CORE_OBJ) $(HEADERS)
	@echo "  CC (host) $@"
	@gcc $(HOST_CFLAGS) $< $(HOST_CORE_OBJ) -o $@

$(BUILD)/unit/%: tests/unit/%.c $(UNIT_HEADERS) $(HOST_CORE_OBJ) $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC (test) $@"
	@gcc $(HOST_CFLAGS) -Itests/unit -DDUMPS_DIR=\"tests/dumps\" $< $(HOST_CORE_OBJ) -lcmocka -o $@

# --- hardening: sanitizers, valgrind, fuzzing, static checks ---------------
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_SAN  := $(patsubst tests/unit/%.c,$(BUILD)/unit-san/%,$(wildcard tests/unit/test_*.c))
SAN_CORE_OBJ := $(patsubst %.c,$(BUILD)/san-obj/%.o,$(CORE_SRC))

$(BUILD)/san-obj/%.o: %.c $(HEADERS) | deps-test
	@mkdir -p $(dir $@)
	@echo "  CC (asan) $<"
	@gcc $(HOST_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/unit-san/%: tests/unit/%.c $(UNIT_HEADERS) $(SAN_CORE_OBJ) $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC (asan) $@"
	@gcc $(HOST_CFLAGS) $(SAN_FLAGS) -Itests/unit -DDUMPS_DIR=\"tests/dumps\" $< \
	    $(SAN_CORE_OBJ) -lcmocka -o $@

unit-sanitized: $(UNIT_SAN)
	@for t in $(UNIT_SAN); do echo "== $$t"; $$t || exit 1; done

# test_upstream_bits renders a whole report for each of ~1000 bits: the
# same paths the other tests run here, at ten seconds under valgrind, so it
# runs under the sanitizers only.
UNIT_VALGRIND := $(filter-out %/test_upstream_bits,$(UNIT_TESTS))
unit-valgrind: $(UNIT_VALGRIND) | deps-test
	@for t in $(UNIT_VALGRIND); do echo "== valgrind $$t"; \
	    valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all \
	        $$t >/dev/null || exit 1; done; echo "valgrind: no errors, no leaks"

FUZZ_TARGETS := dump scan options probe json smbios cvm fdt
FUZZ_BIN     := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt \
                -Wall -Wextra -Werror -Iinclude -Icore -Itests/fuzz
FUZZ_SECONDS ?= 60

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_invariants.h tests/fuzz/coverage-ignore.txt \
                      tests/smbios_bytes.h \
                      $(CORE_SRC) $(HEADERS) | deps-test
	@mkdir -p $(dir $@)
	@echo "  CC (fuzz) $@"
	@clang $(FUZZ_CFLAGS) $< $(CORE_SRC) -ljansson -o $@

# Each target for FUZZ_SECONDS from the committed corpus; what it finds new
# goes to build/fuzz/corpus-TARGET, crashes to build/fuzz/.
fuzz: $(FUZZ_BIN)
	@for t in $(FUZZ_TARGETS); do mkdir -p $(BUILD)/fuzz/corpus-$$t; \
	    echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	    $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus-$$t tests/fuzz/corpus/$$t \
	        2>&1 | grep -E "^(stat::number_of_executed_units|stat::new_units_added|Done|==.*ERROR|SUMMARY)" \
	        || exit 1; \
	    test $${PIPESTATUS[0]} -eq 0 || exit 1; done

# The committed corpus once through, then about a second of new inputs
# each (fewer runs for scan, probe, smbios and cvm, whose inputs render
# whole reports, text and JSON); make fuzz is the long run.
SMOKE_RUNS_dump := 10000
SMOKE_RUNS_options := 10000
SMOKE_RUNS_scan := 600
SMOKE_RUNS_probe := 700
SMOKE_RUNS_json := 5000
SMOKE_RUNS_smbios := 1000
SMOKE_RUNS_cvm := 600
SMOKE_RUNS_fdt := 20000
fuzz-smoke: $(FUZZ_BIN)
	@$(foreach t,$(FUZZ_TARGETS),rm -rf $(BUILD)/fuzz/smoke-$(t) && mkdir -p $(BUILD)/fuzz/smoke-$(t) && \
	    { $(BUILD)/fuzz/fuzz_$(t) -runs=$(SMOKE_RUNS_$(t)) -seed=1 -artifact_prefix=$(BUILD)/fuzz/ \
	        $(BUILD)/fuzz/smoke-$(t) tests/fuzz/corpus/$(t) >$(BUILD)/fuzz/smoke-$(t).log 2>&1 \
	        || { tail -30 $(BUILD)/fuzz/smoke-$(t).log; exit 1; }; } && \
	    echo "fuzz_$(t): $$(ls tests/fuzz/corpus/$(t) | wc -l) corpus inputs, then to $(SMOKE_RUNS_$(t)) runs: no crash" &&) true

# Every mutant of the core's decisions in tests/mutants.py must turn
# make unit red (about 4 minutes, two at a time; not part of make test).
mutants: | deps-test
	$(PYTHON) tests/mutants.py

lint: | deps-test
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
	    --inline-suppr --suppress=missingIncludeSystem -Iinclude -Icore \
	    core host tests/unit tests/fuzz
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
	    --inline-suppr --suppress=missingIncludeSystem -Iinclude -Icore -Iefi -Iefi/x86_64 \
	    -Iefi/aarch64 efi bench tests/firmware/launcher.c tests/firmware/smbios_plant.c \
	    tests/firmware/guard_check.c tests/firmware/guard_check_aarch64.c

# --- running and testing --------------------------------------------------
PYTHON := python3

# KVM=nested boots hvfeat under a real Linux KVM on the nested bed (see
# README, "A report from a real KVM"); the default is native KVM when it
# boots OVMF, else TCG. ARGS: hvfeat's arguments, e.g. ARGS=--probe.
KVM ?=
ARGS ?=
ifeq ($(ARCH),aarch64)
# AAVMF under TCG, or with KVM=nested on the arm64 KVM bed.
run: $(EFI_OUT)/hvfeat.efi | deps-aarch64 $(if $(filter nested,$(KVM)),nested-arm64-bed)
	$(PYTHON) qemu/nested_arm64.py --efi $(EFI_OUT)/hvfeat.efi --workdir $(BUILD)/run-aarch64 \
	    $(if $(filter nested,$(KVM)),--kvm --args="$(or $(ARGS),--probe)",$(if $(ARGS),--args="$(ARGS)"))
else
run: $(BUILD)/hvfeat.efi | deps-run $(if $(filter nested,$(KVM)),nested-bed)
	$(PYTHON) qemu/hvfeat_vm.py --efi $(BUILD)/hvfeat.efi --workdir $(BUILD)/run \
	    $(if $(filter nested,$(KVM)),--accel nested-kvm $(if $(CPU),--cpu $(CPU))) \
	    $(if $(SMP),--smp $(SMP)) \
	    $(if $(ARGS),--args="$(ARGS)")
endif

# A GPT disk image that boots straight to the verdict and powers off.
IMAGE_OPTIONS ?= --shutdown
image: $(BUILD)/hvfeat.efi | deps-run
	$(PYTHON) qemu/hvfeat_vm.py --efi $(BUILD)/hvfeat.efi --image $(BUILD)/hvfeat.img \
	    --options="$(IMAGE_OPTIONS)"

# Secure Boot signing; the default key is the snakeoil test key Debian's ovmf
# ships (an encrypted PEM, passphrase "snakeoil"), enrolled in
# OVMF_VARS_4M.snakeoil.fd.
CERT ?= /usr/share/ovmf/PkKek-1-snakeoil.pem
KEY  ?= $(BUILD)/snakeoil.key
$(BUILD)/snakeoil.key: | deps-run
	@mkdir -p $(BUILD)
	openssl pkey -in /usr/share/ovmf/PkKek-1-snakeoil.key -passin pass:snakeoil -out $@

# Fails on any sbsign or sbverify warning, not only on errors.
signed: $(BUILD)/hvfeat.efi $(if $(filter $(BUILD)/snakeoil.key,$(KEY)),$(BUILD)/snakeoil.key) | deps-run
	sbsign --key $(KEY) --cert $(CERT) --output $(BUILD)/hvfeat.signed.efi \
	    $(BUILD)/hvfeat.efi 2>$(BUILD)/sbsign.log; status=$$?; cat $(BUILD)/sbsign.log; \
	    [ $$status -eq 0 ] && ! grep -qi warning $(BUILD)/sbsign.log
	sbverify --cert $(CERT) $(BUILD)/hvfeat.signed.efi 2>&1 | tee $(BUILD)/sbverify.log; \
	    ! grep -qi warning $(BUILD)/sbverify.log && grep -q "Signature verification OK" $(BUILD)/sbverify.log

unit: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do echo "== $$t"; $$t || exit 1; done

firmware-test: $(BUILD)/hvfeat.efi $(BUILD)/hvfeat $(BUILD)/launcher.efi \
               $(BUILD)/smbios_plant.efi $(BUILD)/guard_check.efi signed | deps-run
	$(PYTHON) tests/firmware/test_firmware.py

# The host checks run beside the firmware boots; each part's output is
# printed whole when it ends.
test: | deps-run deps-test
	$(MAKE) all host signed
	$(MAKE) -j2 --output-sync=recurse host-checks firmware-test

host-checks:
	$(MAKE) unit unit-sanitized unit-valgrind fuzz-smoke lint cpuid-agreement install-check \
	    matrix-check ci-formats drift-test smbios-host arm-id-host

# The host build diffing reports and dumps (--baseline A -f B), writing and
# enforcing policies, reading jq's layouts of its JSON.
drift-test: $(BUILD)/hvfeat | deps-run
	$(PYTHON) tests/host/test_drift.py

# qemu/hvfeat_vm.py --matrix: the committed dumps' reports and two TCG boots
# tabulated, the HTML parsed (html.parser and xmllint).
matrix-check: $(BUILD)/hvfeat.efi $(BUILD)/hvfeat | deps-run deps-test
	$(PYTHON) tests/host/test_matrix.py

# --tap and --junit of the host build, read by prove, TAP::Parser,
# junitparser and xmllint, against the JSON of the same runs.
ci-formats: $(BUILD)/hvfeat $(BUILD)/unit/test_ci_formats | deps-run deps-test
	$(PYTHON) tests/host/test_ci_formats.py

# The host build replaying Arm ID registers from hand-composed dumps, its
# JSON read with jq.
arm-id-host: $(BUILD)/hvfeat | deps-run
	$(PYTHON) tests/host/test_arm_id.py

# The host build's SMBIOS on this machine against Debian's dmidecode.
smbios-host: $(BUILD)/hvfeat | deps-run deps-test
	$(PYTHON) tests/host/test_smbios.py

# hvfeat's JSON against Debian's cpuid tool, flag word by flag word.
cpuid-agreement: $(BUILD)/hvfeat | deps-run
	$(PYTHON) tests/oracle/test_cpuid_tool.py

# The nested-KVM bed: a patched outer QEMU built from Debian's source
# package and a Debian kernel with a busybox initramfs, both under build/
# and in ${XDG_CACHE_HOME:-~/.cache}/hvfeat/, keyed by all their inputs.
nested-bed: | deps-nested
	bash qemu/nested/build_outer_qemu.sh $(BUILD)/nested/outer-qemu
	bash qemu/nested/build_l1.sh $(BUILD)/nested/l1

# hvfeat under a real KVM: the whole property matrix (several minutes).
test-kvm: $(BUILD)/hvfeat.efi $(BUILD)/hvfeat | deps-run nested-bed
	$(PYTHON) tests/firmware/test_kvm.py

# The arm64 KVM bed: Debian's arm64 kernel (KVM built in) with a busybox
# initramfs as L1 under TCG at EL2, Debian's arm64 QEMU tree as L2's VMM,
# all downloaded and unpacked under build/nested-arm64, never installed,
# and cached in ${XDG_CACHE_HOME:-~/.cache}/hvfeat/ keyed by their inputs.
nested-arm64-bed: | deps-aarch64 deps-nested
	bash qemu/nested_arm64/build_l1.sh $(BUILD)/nested-arm64/l1
	bash qemu/nested_arm64/build_l2_qemu.sh $(BUILD)/nested-arm64/l2-qemu

# The AArch64 suite: AAVMF under TCG (no hypervisor services), then
# hvfeat under a real arm64 KVM on the bed, VHE and nVHE L1s side by side.
test-kvm-arm64: | deps-run
	$(MAKE) ARCH=aarch64 $(BUILD)/aarch64/hvfeat.efi $(BUILD)/aarch64/guard_check.efi
	$(MAKE) host nested-arm64-bed
	$(PYTHON) tests/firmware/test_kvm_arm64.py

# Boot-to-verdict times against the firmware floor; prints a table. With
# BENCH_SUITES=N, then N timed runs of make test and make test-kvm against
# their targets, and .ci/run on a fresh clone with BENCH_FRESH_CI=1.
BENCH_RUNS ?= 7
BENCH_KVM_RUNS ?= 3
BENCH_ARM64_RUNS ?= 3
BENCH_SUITES ?= 0
BENCH_FRESH_CI ?=
bench: $(BUILD)/hvfeat.efi $(BUILD)/null_app.efi $(BUILD)/hvfeat | deps-run \
       $(if $(filter-out 0,$(BENCH_KVM_RUNS)),nested-bed) \
       $(if $(filter-out 0,$(BENCH_ARM64_RUNS)),nested-arm64-bed)
	$(if $(filter-out 0,$(BENCH_ARM64_RUNS)),$(MAKE) ARCH=aarch64 $(BUILD)/aarch64/hvfeat.efi \
	    $(BUILD)/aarch64/null_app.efi)
	$(PYTHON) bench/bench.py --runs $(BENCH_RUNS) --kvm-runs $(BENCH_KVM_RUNS) \
	    --arm64-runs $(BENCH_ARM64_RUNS)
	$(if $(filter-out 0,$(BENCH_SUITES)),$(PYTHON) bench/suites.py --runs $(BENCH_SUITES) \
	    $(if $(BENCH_FRESH_CI),--fresh-ci))

# make install [DESTDIR=...] [PREFIX=...]: the Linux build, the UEFI
# application (and the signed one when it was built) and the man page.
PREFIX ?= /usr/local
install: $(BUILD)/hvfeat.efi $(BUILD)/hvfeat
	install -D -m 755 $(BUILD)/hvfeat $(DESTDIR)$(PREFIX)/bin/hvfeat
	install -D -m 644 $(BUILD)/hvfeat.efi $(DESTDIR)$(PREFIX)/lib/hvfeat/hvfeat.efi
	if [ -f $(BUILD)/hvfeat.signed.efi ]; then \
	    install -D -m 644 $(BUILD)/hvfeat.signed.efi $(DESTDIR)$(PREFIX)/lib/hvfeat/hvfeat.signed.efi; fi
	install -D -m 644 man/hvfeat.1 $(DESTDIR)$(PREFIX)/share/man/man1/hvfeat.1

# The installed tree, as the README describes it.
install-check: $(BUILD)/hvfeat.efi $(BUILD)/hvfeat
	$(PYTHON) tests/host/test_install.py

clean:
	rm -rf $(BUILD)

# --- packages a fresh Debian 12 machine needs ------------------------------
BUILD_PACKAGES := gcc make binutils gnu-efi libcmocka-dev
RUN_PACKAGES   := ovmf qemu-system-x86 mtools dosfstools fdisk sbsigntool openssl python3 jq cpuid \
                  systemd-boot-efi grub-efi-amd64-bin grub-common swtpm
# perl (prove, TAP::Parser) and python3-junitparser: the real consumers the
# CI-format tests feed TAP and JUnit XML to; libxml2-utils (xmllint) theirs
# and the matrix test's; dmidecode, the SMBIOS tests' independent reader.
TEST_PACKAGES  := clang libclang-rt-14-dev valgrind cppcheck man-db libjansson-dev libxml2-utils \
                  perl python3-junitparser dmidecode
# The nested-KVM bed: QEMU's build dependencies and what the L1 guest is
# made of (its kernel is downloaded by build_l1.sh, never installed); the
# swtpm each L2 gets comes with RUN_PACKAGES; dmidecode, which L1 runs
# beside the host build.
NESTED_PACKAGES := dpkg-dev patch meson ninja-build pkg-config libglib2.0-dev libpixman-1-dev \
                   libattr1-dev libcap-ng-dev libfdt-dev zlib1g-dev python3-venv \
                   busybox-static kmod cpio dmidecode
# The AArch64 build and its runs: the cross compiler, QEMU's Arm emulator,
# AAVMF (edk2 for QEMU's virt machine) and qemu-img. Arm64 packages (the
# gnu-efi the build unpacks, the bed's kernel and QEMU) come from the arm64
# architecture added to dpkg, downloaded, never installed.
AARCH64_PACKAGES := gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm \
                    qemu-efi-aarch64 qemu-utils
SHELL := /bin/bash
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

define install_missing
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing missing Debian packages:" $$missing; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

deps-build:
	$(call install_missing,$(BUILD_PACKAGES))

deps-run: deps-build
	$(call install_missing,$(RUN_PACKAGES))

deps-test: deps-build
	$(call install_missing,$(TEST_PACKAGES))

deps-nested: deps-run
	$(call install_missing,$(NESTED_PACKAGES))

deps-aarch64: deps-build
	$(call install_missing,$(AARCH64_PACKAGES))
	@if ! dpkg --print-foreign-architectures | grep -qx arm64; then \
	    echo "adding the arm64 architecture to dpkg (for apt-get download)"; \
	    $(SUDO) dpkg --add-architecture arm64 && $(SUDO) apt-get update -qq; \
	fi

# Object files are results, not intermediates to delete.
.SECONDARY:

.PHONY: all host image signed bench run host-checks drift-test smbios-host arm-id-host mutants unit unit-sanitized unit-valgrind fuzz fuzz-smoke lint firmware-test test test-kvm nested-bed cpuid-agreement matrix-check ci-formats install install-check clean deps-build deps-run deps-test deps-nested deps-aarch64 nested-arm64-bed test-kvm-arm64
