/* The probes' pure parts: clock arithmetic against hand-worked values and
 * Python's calendar.timegm, the ACPI walk over hand-built tables, and the
 * probe decisions against a hypervisor simulated here, the way the KVM
 * and Hyper-V documentation describe the host's side. */
#include "recordings.h"

#include "acpi.h"
#include "checks.h"
#include "clocks.h"
#include "probe.h"

/* --- clocks ------------------------------------------------------------ */

static void test_pvclock_scales_as_linux_does(void **state)
{
	(void)state;
	/* ((3000 - 1000) << 1) * 0.5 = 2000 ns after 5000 */
	struct pvclock_time t = { 2, 1000, 5000, 0x80000000u, 1, 0 };
	assert_int_equal(pvclock_ns(&t, 3000), 7000);
	/* ((5000 - 1000) >> 2) * 0.75 = 750 ns */
	t.tsc_shift = -2;
	t.tsc_to_system_mul = 0xc0000000u;
	assert_int_equal(pvclock_ns(&t, 5000), 5750);
	/* a delta past 2^32 keeps its high bits: 2^40 * 0.5 */
	t = (struct pvclock_time){ 2, 0, 0, 0x80000000u, 0, 0 };
	assert_int_equal(pvclock_ns(&t, 1ull << 40), 1ull << 39);
	/* shifts a hostile page may hold (fuzz_probe found 86): all shifted out */
	t = (struct pvclock_time){ 2, 0, 9, 0x80000000u, 86, 0 };
	assert_int_equal(pvclock_ns(&t, 12345), 9);
	t.tsc_shift = -128;
	assert_int_equal(pvclock_ns(&t, 12345), 9);
	t.tsc_shift = 63;
	/* (3 << 63) mod 2^64 = 2^63, times 0.5 */
	assert_int_equal(pvclock_ns(&t, 3), 9 + (1ull << 62));
}

static void test_reference_tsc_page_time(void **state)
{
	(void)state;
	/* 2.5 GHz: scale floor(2^64 / 250); one second of TSC is one count
	 * short of 10^7 by the truncation (Python: (2500000000*s) >> 64) */
	assert_int_equal(hv_reference_time(2500000000ull, 73786976294838206ull, 0), 9999999);
	assert_int_equal(hv_reference_time(2500000000ull, 73786976294838206ull, 5), 10000004);
	assert_int_equal(hv_reference_time(0, 73786976294838206ull, -3), (uint64_t)-3);
}

static void test_deviation_in_ppm(void **state)
{
	(void)state;
	assert_int_equal(deviation_ppm(1001000, 1000000), 1000);
	assert_int_equal(deviation_ppm(999000, 1000000), -1000);
	assert_int_equal(deviation_ppm(1000000, 1000000), 0);
	assert_int_equal(deviation_ppm(~0ull, 1), 1000000000);
	assert_int_equal(deviation_ppm(0, 7), -1000000);
	assert_int_equal(scale_u64(357954, 1000000000u, PM_TIMER_HZ), 99999860);
}

static void test_epoch_seconds_agree_with_timegm(void **state)
{
	(void)state;
	/* Python: calendar.timegm((Y, M, D, h, m, s)) */
	assert_int_equal(civil_to_epoch(1970, 1, 1, 0, 0, 0), 0);
	assert_int_equal(civil_to_epoch(2000, 3, 1, 0, 0, 0), 951868800);
	assert_int_equal(civil_to_epoch(2026, 11, 26, 12, 34, 56), 1795696496);
	assert_int_equal(civil_to_epoch(1969, 12, 31, 23, 59, 59), -1);
	assert_int_equal(civil_to_epoch(2100, 2, 28, 0, 0, 0), 4107456000);
}

static void test_time_zone_offsets_are_quarter_hours(void **state)
{
	int64_t zone;

	(void)state;
	assert_int_equal(beyond_time_zone(1000, 1000, &zone), 0);
	assert_int_equal(zone, 0);
	assert_int_equal(beyond_time_zone(1000 + 3600 + 1, 1000, &zone), 1);
	assert_int_equal(zone, 3600);
	/* a clock on India's +05:30, seen from UTC */
	assert_int_equal(beyond_time_zone(1000, 1000 + 19800 - 2, &zone), 2);
	assert_int_equal(zone, -19800);
	/* 400 s off is not a time zone */
	assert_int_equal(beyond_time_zone(1400, 1000, &zone), 400);
	/* past 14 hours the rest stays */
	assert_int_equal(beyond_time_zone(20 * 3600, 0, &zone), 6 * 3600);
	assert_int_equal(zone, 14 * 3600);
	/* a hostile RTC: no overflow, and far from any zone */
	assert_int_equal(beyond_time_zone(INT64_MAX, INT64_MIN, &zone), INT64_MAX - 14 * 3600);
	assert_int_equal(zone, 14 * 3600);
	assert_int_equal(beyond_time_zone(INT64_MIN, 1, &zone), INT64_MIN + 14 * 3600);
}

/* --- ACPI ------------------------------------------------------------- */

static uint8_t acpi_memory[4096] __attribute__((aligned(16)));

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t *header(uint8_t *table, const char *signature, uint32_t length)
{
	memcpy(table, signature, 4);
	put32(table + 4, length);
	return table;
}

/* RSDP at 0, root table at 64, FADT at 512 (ACPI 6.4, 5.2.5-5.2.9). */
static const void *acpi_tables(bool acpi2, uint32_t fadt_length, uint32_t pm_tmr_blk,
			       uint8_t x_space, uint64_t x_address, uint32_t flags)
{
	uint8_t *rsdp = acpi_memory, *root = acpi_memory + 64, *fadt = acpi_memory + 512;

	memset(acpi_memory, 0, sizeof(acpi_memory));
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = acpi2 ? 2 : 0;
	if (acpi2) {
		put64(rsdp + 24, (uintptr_t)header(root, "XSDT", 36 + 2 * 8));
		put64(root + 36, (uintptr_t)header(acpi_memory + 300, "APIC", 44));
		put64(root + 44, (uintptr_t)fadt);
	} else {
		put32(rsdp + 16, (uint32_t)(uintptr_t)header(root, "RSDT", 36 + 4));
		put32(root + 36, (uint32_t)(uintptr_t)fadt);
	}
	header(fadt, "FACP", fadt_length);
	put32(fadt + 76, pm_tmr_blk);
	put32(fadt + 112, flags);
	fadt[208] = x_space;
	put64(fadt + 212, x_address);
	return rsdp;
}

static void test_pm_timer_from_the_fadt(void **state)
{
	struct pm_timer timer;

	(void)state;
	/* QEMU q35: X_PM_TMR_BLK in I/O space at 0x608, TMR_VAL_EXT set */
	assert_true(acpi_find_pm_timer(acpi_tables(true, 276, 0x608, 1, 0x608, 1u << 8), &timer));
	assert_int_equal(timer.port, 0x608);
	assert_int_equal(timer.mask, 0xffffffffu);
	/* X_PM_TMR_BLK in memory space: the I/O port PM_TMR_BLK is used */
	assert_true(acpi_find_pm_timer(acpi_tables(true, 276, 0xb008, 0, 0xfed00000, 0), &timer));
	assert_int_equal(timer.port, 0xb008);
	assert_int_equal(timer.mask, 0xffffffu);
	/* ACPI 1.0: RSDT and a FADT without the extended fields */
	if ((uintptr_t)acpi_memory < 0xffffffffu) {
		assert_true(acpi_find_pm_timer(acpi_tables(false, 116, 0x408, 0, 0, 0), &timer));
		assert_int_equal(timer.port, 0x408);
	}
	assert_false(acpi_find_pm_timer(acpi_tables(true, 276, 0, 0, 0, 0), &timer));
	assert_false(acpi_find_pm_timer(acpi_tables(true, 100, 0x608, 1, 0x608, 0), &timer));
	uint8_t *rsdp = (uint8_t *)acpi_tables(true, 276, 0x608, 1, 0x608, 0);
	rsdp[0] = 'X';
	assert_false(acpi_find_pm_timer(rsdp, &timer));
	assert_false(acpi_find_pm_timer(NULL, &timer));
}

/* --- a simulated hypervisor ------------------------------------------- */

/* The host's side as Documentation/virt/kvm/x86/msr.rst and the TLFS
 * describe it, with a 2 GHz TSC; time moves on with every read. */
struct sim {
	uint64_t ns;
	double kvmclock_rate; /* 1.0: right */
	uint32_t kvmclock_mul;
	bool pvclock_stable_flag;
	uint32_t faulting_msr;    /* reads and writes of it raise #GP */
	uint32_t sticky_msr;      /* writes of it are ignored */
	bool hypercall_ud;
	int64_t rtc_ahead_s;      /* the RTC against true UTC */
	bool tsc_page_invalid;    /* sequence 0: "use the MSR" */
	bool pm_timer_stopped;
	uint64_t msrs[0x30];      /* 0x4b564d00.. and 0x40000000.. by index */
	uint64_t poll_control;
	uint64_t writes;
	uint8_t pages[2][4096];
};

static struct sim sim;
static const uint64_t PAGE_BASE = 0x100000;

static uint8_t *guest_memory(uint64_t address)
{
	uint64_t page = (address - PAGE_BASE) / 4096;
	assert_true(address >= PAGE_BASE && page < 2);
	return &sim.pages[page][(address - PAGE_BASE) % 4096];
}

static uint64_t sim_tsc(void)
{
	return sim.ns * 2;
}

static uint64_t *sim_msr(uint32_t msr)
{
	if (msr >= 0x4b564d00 && msr <= 0x4b564d07)
		return &sim.msrs[msr - 0x4b564d00];
	if (msr == 0x11 || msr == 0x12)
		return &sim.msrs[0x10 + msr - 0x11];
	if (msr >= 0x40000000 && msr <= 0x40000021 && (msr & 0xff) <= 0x21)
		return &sim.msrs[0x12 + (msr & 0xff) % 0x1e];
	return NULL;
}

static void sim_write_pvclock(uint64_t address)
{
	uint8_t *p = guest_memory(address & ~1ull);
	uint64_t tsc = sim_tsc();
	uint64_t system_time = (uint64_t)((double)sim.ns * sim.kvmclock_rate);
	uint32_t version = 2;

	memcpy(p, &version, 4);
	memcpy(p + 8, &tsc, 8);
	memcpy(p + 16, &system_time, 8);
	/* 2 GHz: ns = delta * 0.5, times the rate */
	uint32_t mul = (uint32_t)(sim.kvmclock_mul * sim.kvmclock_rate);
	memcpy(p + 24, &mul, 4);
	p[28] = 0;
	p[29] = sim.pvclock_stable_flag ? 1 : 0;
}

static void sim_tick(void)
{
	sim.ns += 20000;
	uint64_t steal = *sim_msr(0x4b564d03);
	if (steal & 1) { /* KVM updates steal time on every entry */
		uint8_t *st = guest_memory(steal & ~63ull);
		uint32_t version;
		memcpy(&version, st + 8, 4);
		version += 2;
		memcpy(st + 8, &version, 4);
		uint64_t stolen = sim.ns / 100;
		memcpy(st, &stolen, 8);
	}
}

static bool sim_read_msr(void *context, uint32_t msr, uint64_t *value, uint8_t *vector)
{
	(void)context;
	sim_tick();
	uint64_t *slot = sim_msr(msr);
	if (msr == sim.faulting_msr || !slot) {
		*vector = 13;
		return false;
	}
	if (msr == 0x40000020)
		*value = sim.ns / 100;
	else if (msr == 0x40000002)
		*value = 0;
	else
		*value = *slot;
	return true;
}

static bool sim_write_msr(void *context, uint32_t msr, uint64_t value, uint8_t *vector)
{
	(void)context;
	sim_tick();
	uint64_t *slot = sim_msr(msr);
	if (msr == sim.faulting_msr || !slot) {
		*vector = 13;
		return false;
	}
	sim.writes++;
	if (msr == sim.sticky_msr && !(value & 1))
		return true;
	*slot = value;
	if ((msr == 0x4b564d01 || msr == 0x12) && (value & 1))
		sim_write_pvclock(value);
	if (msr == 0x4b564d00 || msr == 0x11) { /* boot time: now minus kvmclock */
		uint8_t *w = guest_memory(value);
		uint32_t version = 2, sec = 1795696496u - (uint32_t)(sim.ns / 1000000000u), nsec = 0;
		memcpy(w, &version, 4);
		memcpy(w + 4, &sec, 4);
		memcpy(w + 8, &nsec, 4);
	}
	if (msr == 0x40000021 && (value & 1)) { /* 2 GHz: 10 MHz is TSC / 200 */
		uint8_t *page = guest_memory(value & ~0xfffull);
		uint32_t sequence = sim.tsc_page_invalid ? 0 : 1;
		uint64_t scale = (uint64_t)(((unsigned __int128)1 << 64) / 200);
		memcpy(page, &sequence, 4);
		memcpy(page + 8, &scale, 8);
		memset(page + 16, 0, 8);
	}
	return true;
}

static uint64_t sim_read_tsc(void *context)
{
	(void)context;
	sim.ns += 10;
	return sim_tsc();
}

static uint32_t sim_read_pm_timer(void *context)
{
	(void)context;
	if (sim.pm_timer_stopped)
		return 1234;
	sim_tick();
	return (uint32_t)scale_u64(sim.ns, PM_TIMER_HZ, 1000000000u);
}

static bool sim_hypercall(void *context, bool vmmcall, uint64_t nr, const uint64_t a[4],
			  uint64_t *ret, uint8_t *vector)
{
	(void)context;
	(void)a;
	assert_true(vmmcall); /* leaf 0 of the KVM dumps says AuthenticAMD */
	if (sim.hypercall_ud) {
		*vector = 6;
		return false;
	}
	*ret = nr == 11 ? 0 : (uint64_t)-1000; /* KVM_HC_SCHED_YIELD, else -KVM_ENOSYS */
	return true;
}

static bool sim_rtc(void *context, int64_t *seconds)
{
	(void)context;
	*seconds = 1795696496 + sim.rtc_ahead_s;
	return true;
}

static struct probe_machine sim_machine(void)
{
	struct probe_machine m = { NULL, sim_read_msr, sim_write_msr, sim_read_tsc,
				   sim_read_pm_timer, 0xffffff, sim_hypercall, sim_rtc,
				   { sim.pages[0], sim.pages[1] }, { PAGE_BASE, PAGE_BASE + 4096 } };
	return m;
}

static void sim_reset(void)
{
	memset(&sim, 0, sizeof(sim));
	sim.ns = 5000000000ull;
	sim.kvmclock_rate = 1.0;
	sim.kvmclock_mul = 0x80000000u;
	sim.msrs[5] = 1; /* MSR_KVM_POLL_CONTROL starts enabled */
}

#define KVM_HOST_DUMP "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt"
#define KVM_HV_DUMP "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt"

static const struct probe_result *result_of(const struct hv_report *report, const char *key)
{
	for (size_t i = 0; i < report->probes.count; i++)
		if (!strcmp(report->probes.results[i].key, key))
			return &report->probes.results[i];
	fail_msg("no probe %s", key);
	return NULL;
}

static void assert_state(const struct hv_report *report, const char *key,
			 enum probe_state state, const char *detail)
{
	const struct probe_result *r = result_of(report, key);
	if (r->state != state || (detail && !strstr(r->detail, detail)))
		fail_msg("%s: %s: %s, expected %s containing \"%s\"", key,
			 probe_state_name(r->state), r->detail, probe_state_name(state),
			 detail ? detail : "");
}

static void probe_with(struct hv_report *report, const struct forced_msr *forced)
{
	struct probe_machine m = sim_machine();
	probe_run(report, &m, forced);
}

static void assert_all_restored(const struct hv_report *report)
{
	assert_false(report->probes.pages_in_use);
	for (size_t i = 0; i < report->probes.restore_count; i++) {
		const struct msr_restore *r = &report->probes.restores[i];
		assert_true(r->restored);
		assert_int_equal(*sim_msr(r->msr), r->found);
	}
}

/* The real KVM's -cpu host leaves: everything but the timing leaf and
 * Hyper-V works, and every MSR ends as it started. */
static void test_kvm_host_probes(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	probe_with(report, NULL);
	const char *works[] = { "kvm.clocksource2", "kvm.clocksource", "kvm.steal_time",
				"kvm.async_pf", "kvm.pv_eoi", "kvm.poll_control",
				"kvm.async_pf_int", "kvm.hypercall", "kvm.pv_sched_yield" };
	for (size_t i = 0; i < sizeof(works) / sizeof(works[0]); i++)
		assert_state(report, works[i], PROBE_WORKS, NULL);
	assert_state(report, "kvm.tsc_khz", PROBE_NOT_ADVERTISED, NULL);
	assert_state(report, "hyperv.vp_index", PROBE_NOT_ADVERTISED, NULL);
	/* Linux kvm_para.h: MSR_KVM_SYSTEM_TIME, _SYSTEM_TIME_NEW, _STEAL_TIME,
	 * _ASYNC_PF_EN, _PV_EOI_EN, _POLL_CONTROL, _ASYNC_PF_INT, _ASYNC_PF_ACK:
	 * the probes' order, each MSR written by the probe that names it. */
	static const uint32_t written[] = { 0x12, 0x4b564d01, 0x4b564d03, 0x4b564d02,
					    0x4b564d04, 0x4b564d05, 0x4b564d06, 0x4b564d07 };
	assert_int_equal(report->probes.restore_count, 8);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(report->probes.restores[i].msr, written[i]);
	assert_all_restored(report);
	assert_int_equal(sim.msrs[5], 1);
	const char *text = text_of(report);
	assert_contains(text, "  kvm.steal_time: works\n");
	assert_contains(text, "MSR_KVM_POLL_CONTROL=0x1");
	assert_contains(text, "memory: every registration undone, the pages released");
}

static void test_hyperv_probes_and_timing(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = scan_dump_file(KVM_HV_DUMP);
	probe_with(report, NULL);
	assert_state(report, "hyperv.vp_index", PROBE_WORKS, NULL);
	assert_state(report, "hyperv.time_ref_count", PROBE_WORKS, NULL);
	assert_state(report, "hyperv.reference_tsc", PROBE_WORKS, NULL);
	assert_state(report, "kvm.clocksource2", PROBE_WORKS, NULL);
	assert_all_restored(report);
	assert_int_equal(sim.msrs[0x12 + 0x21 % 0x1e], 0);
}

static void test_an_invalid_tsc_page_is_a_remark(void **state)
{
	(void)state;
	sim_reset();
	sim.tsc_page_invalid = true;
	struct hv_report *report = scan_dump_file(KVM_HV_DUMP);
	probe_with(report, NULL);
	assert_state(report, "hyperv.reference_tsc", PROBE_WORKS, "sequence 0");
	/* The remark does not fit beside the state: it goes below, whole. */
	assert_contains(text_of(report), "  hyperv.reference_tsc: works\n      (page kept invalid "
			"(sequence 0): guests use the reference counter MSR)\n");
	assert_all_restored(report);
}

static void test_wrong_clocks_are_broken(void **state)
{
	(void)state;
	/* kvmclock 1% fast: 10000 ppm, past the limit of 1000 ppm and what
	 * the brackets leave uncertain */
	sim_reset();
	sim.kvmclock_rate = 1.01;
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	probe_with(report, NULL);
	assert_state(report, "kvm.clocksource2", PROBE_BROKEN, "ppm off the ACPI PM timer");
	assert_contains(text_of(report), "  kvm.clocksource2: broken:\n      kvmclock ran +");
	assert_all_restored(report);

	/* 0.05% fast is within it */
	sim_reset();
	sim.kvmclock_rate = 1.0005;
	probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(&test_report, "kvm.clocksource2", PROBE_WORKS, NULL);

	sim_reset();
	sim.kvmclock_mul = 0;
	probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(&test_report, "kvm.clocksource2", PROBE_BROKEN, "tsc_to_system_mul is 0");

	/* The dump advertises KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (0x01007afb):
	 * a clear flag is remarked upon, a set one is what it promises. */
	sim_reset();
	probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(&test_report, "kvm.clocksource2", PROBE_WORKS, "no host master clock");
	sim_reset();
	sim.pvclock_stable_flag = true;
	probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(&test_report, "kvm.clocksource2", PROBE_WORKS, NULL);
	assert_string_equal(result_of(&test_report, "kvm.clocksource2")->detail, "");
}

static void test_wall_clock_against_the_rtc(void **state)
{
	(void)state;
	/* An RTC on local time (UTC+01:00) is a time zone, not an error. */
	sim_reset();
	sim.rtc_ahead_s = 3600;
	probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(&test_report, "kvm.clocksource2", PROBE_WORKS, NULL);
	/* Ten seconds beyond a whole quarter hour is not. */
	sim_reset();
	sim.rtc_ahead_s = 3600 + 10;
	probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(&test_report, "kvm.clocksource2", PROBE_BROKEN,
		     "the wall clock is -10 s from the firmware clock");
	assert_all_restored(&test_report);
}

static void test_no_pm_timer_or_a_stopped_one_skips_the_timing(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = scan_dump_file(KVM_HV_DUMP);
	struct probe_machine m = sim_machine();
	m.read_pm_timer = NULL;
	probe_run(report, &m, NULL);
	assert_state(report, "kvm.clocksource2", PROBE_SKIPPED, "no ACPI PM timer");
	assert_state(report, "hyperv.time_ref_count", PROBE_SKIPPED, "no ACPI PM timer");
	assert_state(report, "kvm.pv_eoi", PROBE_WORKS, NULL);
	assert_int_equal(report->probes.pm_ticks, 0);
	assert_all_restored(report);

	/* A timer that stops is told within PM_STUCK_READS equal reads. */
	sim_reset();
	sim.pm_timer_stopped = true;
	probe_with(report = scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_SKIPPED, "the ACPI PM timer stopped");
	assert_state(report, "hyperv.reference_tsc", PROBE_SKIPPED, "the ACPI PM timer stopped");
	assert_all_restored(report);
}

static void test_faults_are_reported_not_taken(void **state)
{
	(void)state;
	sim_reset();
	sim.faulting_msr = 0x4b564d04; /* MSR_KVM_PV_EOI_EN */
	sim.hypercall_ud = true;
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	struct forced_msr forced = { true, 0x4b564dff, false, 0 };
	probe_with(report, &forced);
	assert_state(report, "kvm.pv_eoi", PROBE_BROKEN, "#GP on MSR 0x4b564d04 (read)");
	assert_state(report, "kvm.hypercall", PROBE_BROKEN, "#UD on vmmcall");
	assert_state(report, "forced_msr", PROBE_BROKEN, "#GP on MSR 0x4b564dff (read)");
	assert_state(report, "kvm.poll_control", PROBE_WORKS, NULL);
	assert_all_restored(report);
}

static void test_a_registration_that_sticks_keeps_the_pages(void **state)
{
	(void)state;
	sim_reset();
	sim.sticky_msr = 0x4b564d03; /* the host ignores disabling steal time */
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	probe_with(report, NULL);
	assert_true(report->probes.pages_in_use);
	assert_contains(text_of(report), "pages stay reserved");
	assert_contains(text_of(report), "restored MSR 0x4b564d03 to 0x0: FAILED");
}

static void test_no_kvm_nothing_probed_and_requirements(void **state)
{
	static const struct cpuid_record tcg[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x40000001, SIG_TCG),
	};
	static const char required[] = "probe.kvm.clocksource2, probe.KVM.HYPERCALL=0";
	struct requirement_list list = { .count = 0 };
	struct buffer_sink errors;

	(void)state;
	sim_reset();
	struct hv_report *report = SCAN(tcg);
	probe_with(report, NULL);
	for (size_t i = 0; probe_key(i); i++)
		assert_int_equal(report->probes.results[i].state, PROBE_NOT_ADVERTISED);
	assert_int_equal(sim.writes, 0);
	buffer_sink_init(&errors, NULL, 0);
	assert_true(requirements_add(&list, required, strlen(required), "--require",
				     &errors.sink));
	assert_true(requirements_need_probes(&list));
	hv_check(report, &list);
	assert_false(report->checks[0].passed);
	assert_true(report->checks[1].passed);
	assert_contains(text_of(report), "FAIL  probe.kvm.clocksource2 = 1  (not advertised)");

	probe_not_run(report, "CPUID came from a dump, not this machine");
	hv_check(report, &list);
	assert_false(report->checks[1].passed);
	assert_contains(text_of(report), "probes (--probe): not run: CPUID came from a dump");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pvclock_scales_as_linux_does),
		cmocka_unit_test(test_reference_tsc_page_time),
		cmocka_unit_test(test_deviation_in_ppm),
		cmocka_unit_test(test_epoch_seconds_agree_with_timegm),
		cmocka_unit_test(test_time_zone_offsets_are_quarter_hours),
		cmocka_unit_test(test_pm_timer_from_the_fadt),
		cmocka_unit_test(test_kvm_host_probes),
		cmocka_unit_test(test_hyperv_probes_and_timing),
		cmocka_unit_test(test_an_invalid_tsc_page_is_a_remark),
		cmocka_unit_test(test_wrong_clocks_are_broken),
		cmocka_unit_test(test_wall_clock_against_the_rtc),
		cmocka_unit_test(test_no_pm_timer_or_a_stopped_one_skips_the_timing),
		cmocka_unit_test(test_faults_are_reported_not_taken),
		cmocka_unit_test(test_a_registration_that_sticks_keeps_the_pages),
		cmocka_unit_test(test_no_kvm_nothing_probed_and_requirements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
