/* The probes' pure parts: clock arithmetic against hand-worked values and
 * Python's calendar.timegm, the ACPI walk over hand-built tables, and the
 * probe decisions against a hypervisor simulated here, the way the KVM
 * and Hyper-V documentation describe the host's side. */
#include "recordings.h"

#include "acpi.h"
#include "checks.h"
#include "clocks.h"
#include "judge.h"
#include "probe.h"
#include "vcpus.h"

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

static void test_an_rtc_that_names_its_zone_is_taken_at_its_word(void **state)
{
	int64_t zone;

	(void)state;
	/* UEFI 2.11, 8.3.1: Localtime = UTC - TimeZone. PST is TimeZone 480:
	 * an RTC reading 12:00 there is 20:00 UTC. */
	assert_int_equal(wall_minus_rtc(20 * 3600, 12 * 3600, 480, &zone), 0);
	assert_int_equal(zone, 480 * 60);
	/* UTC+01:00 is -60: an RTC an hour ahead of UTC */
	assert_int_equal(wall_minus_rtc(1000, 1000 + 3600 + 1, -60, &zone), -1);
	/* A named zone is not second-guessed: an RTC on UTC+1 that says UTC */
	assert_int_equal(wall_minus_rtc(1000, 1000 + 3600, 0, &zone), -3600);
	/* EFI_UNSPECIFIED_TIMEZONE and values outside +-1440: any quarter hour */
	assert_int_equal(wall_minus_rtc(1000, 1000 + 3600, 0x07ff, &zone), 0);
	assert_int_equal(zone, -3600);
	assert_int_equal(wall_minus_rtc(1000, 1000 + 3600, 1441, &zone), 0);
	/* hostile clocks saturate */
	assert_int_equal(wall_minus_rtc(INT64_MAX, INT64_MIN, 0, &zone), INT64_MAX);
	assert_int_equal(wall_minus_rtc(INT64_MIN, 0, 1440, &zone), INT64_MIN);
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
	/* a hardware-reduced platform has no PM timer, whatever the fields say */
	assert_false(acpi_find_pm_timer(acpi_tables(true, 276, 0x608, 1, 0x608, 1u << 20), &timer));
	uint8_t *rsdp = (uint8_t *)acpi_tables(true, 276, 0x608, 1, 0x608, 0);
	rsdp[0] = 'X';
	assert_false(acpi_find_pm_timer(rsdp, &timer));
	assert_false(acpi_find_pm_timer(NULL, &timer));
}


/* --- a simulated hypervisor ------------------------------------------- */

/* The host's side as Linux's Documentation/virt/kvm/x86/msr.rst, KVM's
 * x86.c, hyperv.c and lapic.c and the TLFS describe it: time moves on at
 * every call, by a trap's worth where the real guest would exit, and the
 * host writes the registered structures the way KVM does. Everything is
 * AMD-flavoured, as the recorded dumps are (leaf 0: AuthenticAMD). */
#define SIM_WALL_MSR 0x11u        /* kvm->arch.wall_clock, behind both wall-clock MSRs */
#define SIM_SYSTEM_TIME_MSR 0x12u /* vcpu->arch.time, behind both system-time MSRs */
#define UTC_AT_ZERO_S 1790000000
#define UTC_AT_ZERO_NSEC 999999999u

struct sim_msr {
	uint32_t msr;
	uint64_t value, initial;
};

struct sim {
	uint64_t ns; /* since the VM started */
	uint64_t calls;
	uint64_t tsc_hz;
	uint64_t pm_latency_ns;
	bool pm_timer_stopped;
	/* one PM timer read in pm_stall_one_in stalls after it was sampled (a
	 * busy host), drawn from a fixed sequence */
	uint32_t pm_stall_one_in;
	uint64_t pm_stall_ns, random;
	/* kvmclock */
	double kvmclock_rate;     /* 1.0: right */
	bool zero_multiplier, pvclock_ignored, wall_ignored;
	bool host_tsc_stable;     /* KVM may keep a master clock */
	bool old_kvmclock;        /* boot_vcpu_runs_old_kvmclock */
	uint64_t pvclock_address; /* 0: not registered */
	uint64_t pvclock_since;   /* calls since it was registered */
	int64_t pvclock_offset_ns;
	/* events, counted in calls after the registration; 0: none */
	uint64_t step_back_after, update_after;
	uint32_t update_span;
	/* the host rewrites the pvclock, re-anchored rewrite_step_ns on, at
	 * rewrite_after and every rewrite_every calls after (0: once); each
	 * step rewrite_step_growth_ns longer than the one before */
	uint64_t rewrite_after, rewrite_every;
	int64_t rewrite_step_ns, rewrite_step_growth_ns;
	/* wall clock and RTC */
	int64_t rtc_ahead_s;
	int16_t rtc_zone_minutes;
	/* steal time */
	bool steal_ignored;
	uint64_t steal_since, steal_backwards_after;
	/* Hyper-V */
	double reference_rate;
	bool tsc_page_invalid, tsc_page_ignored;
	uint64_t tsc_page_since, tsc_page_invalid_after;
	/* invalid from this TSC read after enabling until the host's next
	 * exit, as a master clock update leaves it on one vCPU */
	uint64_t tsc_page_blink_at_read;
	uint32_t vp_index;
	uint64_t tsc_reads_since_page, tsc_page_torn_at_read; /* a TSC read */
	/* MSRs */
	struct sim_msr msrs[24];
	size_t msr_count;
	struct sim_write {
		uint32_t msr;
		uint64_t value;
	} written[64];
	size_t write_count;
	uint32_t faulting_msr, sticky_msr;
	uint32_t forgetful_msr; /* reads of it return 0, whatever was written */
	bool hypercall_ud;
	uint64_t yield_target; /* the APIC ID KVM_HC_SCHED_YIELD reached KVM with */
	bool intel; /* leaf 0 says GenuineIntel: vmcall, not vmmcall */
	/* a TD: TDG.VP.INFO answers (else TDCALL raises #UD); MSR accesses
	 * and VMCALL go to OVMF's #VE handler, not to the guard */
	bool td;
	/* interrupts */
	bool interrupts_off;
	uint32_t forced_msr;
	bool forced_write_with_interrupts_on;
	bool no_local_apic, apic_disabled, pv_eoi_unused, eoi_lost;
	unsigned busy_sends; /* the first sends find another interrupt pending */
	/* every vCPU (every_vcpu's 0..vcpus-1; 0 is the one above, whose
	 * MSR_KVM_SYSTEM_TIME_NEW is msrs[]'s): each step costs step_ns */
	size_t vcpus, current;
	uint64_t step_ns;
	struct sim_vcpu {
		uint64_t system_time; /* its MSR_KVM_SYSTEM_TIME_NEW */
		uint64_t lag_ns;      /* its pvclock's system_time behind the host's */
		bool not_started;     /* the firmware does not start it */
		bool hangs;           /* it stops after a few steps, never finishing */
		bool ignored;         /* the host never writes its pvclock */
		unsigned writes;
	} vcpu[8];
	_Alignas(4096) uint8_t pages[2][4096]; /* pages, as the firmware's are */
};

static struct sim sim;
static const uint64_t PAGE_BASE = 0x100000;

static uint8_t *guest_memory(uint64_t address)
{
	uint64_t page = (address - PAGE_BASE) / 4096;
	assert_true(address >= PAGE_BASE && page < 2);
	return &sim.pages[page][(address - PAGE_BASE) % 4096];
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static struct sim_msr *sim_msr(uint32_t msr)
{
	/* KVM reads each pair from one field: kvm->arch.wall_clock and
	 * vcpu->arch.time (x86.c, kvm_get_msr_common) */
	if (msr == 0x4b564d00)
		msr = SIM_WALL_MSR;
	if (msr == 0x4b564d01)
		msr = SIM_SYSTEM_TIME_MSR;
	for (size_t i = 0; i < sim.msr_count; i++)
		if (sim.msrs[i].msr == msr)
			return &sim.msrs[i];
	return NULL;
}

static uint64_t sim_tsc(void)
{
	return scale_u64(sim.ns, sim.tsc_hz, 1000000000u);
}

static uint64_t kvmclock_now(void)
{
	return (uint64_t)((double)sim.ns * sim.kvmclock_rate) + (uint64_t)sim.pvclock_offset_ns;
}

static bool master_clock(void)
{
	return sim.host_tsc_stable && !sim.old_kvmclock;
}

/* KVM's kvm_setup_guest_pvclock: version odd, the fields, version even.
 * The scale as kvm_get_time_scale picks it: mul in [2^31, 2^32). */
static void sim_write_pvclock_at(uint64_t address, uint64_t lag_ns)
{
	uint8_t *p = guest_memory(address);
	double ns_per_tick = sim.kvmclock_rate * 1e9 / (double)sim.tsc_hz;
	int8_t shift = 0;

	while (ns_per_tick < 0.5) {
		ns_per_tick *= 2;
		shift--;
	}
	while (ns_per_tick >= 1.0) {
		ns_per_tick /= 2;
		shift++;
	}
	uint32_t version = (get32(p) | 1) + 1;
	put32(p, version - 1);
	put64(p + 8, sim_tsc());
	put64(p + 16, kvmclock_now() - lag_ns);
	put32(p + 24, sim.zero_multiplier ? 0 : (uint32_t)(ns_per_tick * 4294967296.0));
	p[28] = (uint8_t)shift;
	p[29] = master_clock() ? 1 : 0;
	put32(p, version);
}

static void sim_write_pvclock(void)
{
	sim_write_pvclock_at(sim.pvclock_address, 0);
}

/* KVM's kvm_hv_setup_tsc_page: sequence 0 first; a valid page only with a
 * master clock; the sequence counted up, skipping 0 and 0xffffffff. */
static void sim_write_tsc_page(uint64_t msr_value)
{
	uint8_t *page = guest_memory(msr_value & ~0xfffull);
	/* counted up past 0xffffffff and 0, which KVM skips */
	uint32_t previous = get32(page);
	uint32_t sequence = previous >= 0xfffffffeu ? 1 : previous + 1;

	put32(page, 0);
	if (!master_clock() || sim.tsc_page_invalid)
		return;
	/* reference time = tsc * scale / 2^64 + offset, at 10 MHz */
	double scale = 1e7 / (double)sim.tsc_hz * sim.reference_rate * 18446744073709551616.0;
	put64(page + 8, (uint64_t)scale);
	put64(page + 16, 0);
	put32(page, sequence);
}

/* Time moves on, and the events a test scheduled happen. */
static void sim_event(uint64_t ns)
{
	sim.ns += ns;
	sim.calls++;
	if (sim.pvclock_address) {
		uint8_t *p = guest_memory(sim.pvclock_address);
		sim.pvclock_since++;
		if (sim.pvclock_since == sim.step_back_after) {
			sim.pvclock_offset_ns -= 1000;
			sim_write_pvclock();
		}
		if (sim.rewrite_after && sim.pvclock_since >= sim.rewrite_after &&
		    (sim.pvclock_since == sim.rewrite_after ||
		     (sim.rewrite_every &&
		      (sim.pvclock_since - sim.rewrite_after) % sim.rewrite_every == 0))) {
			sim.pvclock_offset_ns += sim.rewrite_step_ns;
			sim.rewrite_step_ns += sim.rewrite_step_growth_ns;
			sim_write_pvclock();
		}
		if (sim.update_after && sim.pvclock_since == sim.update_after) {
			/* mid-update for a while: version odd, a field half written */
			put32(p, get32(p) | 1);
			put64(p + 16, kvmclock_now() + 10000000000ull);
		}
		if (sim.update_after && sim.pvclock_since == sim.update_after + sim.update_span) {
			put32(p, get32(p) - 1);
			sim_write_pvclock();
		}
	}
	struct sim_msr *tsc_page = sim_msr(0x40000021);
	if (tsc_page->value & 1) {
		uint8_t *page = guest_memory(tsc_page->value & ~0xfffull);
		sim.tsc_page_since++;
		if (sim.tsc_page_invalid_after && sim.tsc_page_since >= sim.tsc_page_invalid_after)
			put32(page, 0);
		/* an update begun under a TSC read is finished at the next call */
		if (sim.tsc_page_torn_at_read && !get32(page) &&
		    sim.tsc_reads_since_page == sim.tsc_page_torn_at_read)
			sim_write_tsc_page(tsc_page->value);
	}
}

/* A trap to the host: what KVM updates when the vCPU enters again. */
static void sim_exit(uint64_t ns)
{
	sim_event(ns);
	struct sim_msr *steal = sim_msr(0x4b564d03);
	if ((steal->value & 1) && !sim.steal_ignored) {
		uint8_t *st = guest_memory(steal->value & ~63ull);
		uint64_t stolen = sim.ns / 100;
		if (sim.steal_backwards_after && ++sim.steal_since >= sim.steal_backwards_after)
			stolen = 1;
		put32(st + 8, get32(st + 8) + 2);
		put64(st, stolen);
	}
	struct sim_msr *tsc_page = sim_msr(0x40000021);
	if ((tsc_page->value & 1) && sim.tsc_page_blink_at_read &&
	    sim.tsc_reads_since_page >= sim.tsc_page_blink_at_read &&
	    !get32(guest_memory(tsc_page->value & ~0xfffull)))
		sim_write_tsc_page(tsc_page->value);
}

/* KVM's kvm_write_wall_clock: the boot time of kvmclock in UTC. */
static void sim_write_wall_clock(uint64_t address)
{
	uint8_t *w = guest_memory(address);
	uint64_t boot = (uint64_t)UTC_AT_ZERO_S * 1000000000u + UTC_AT_ZERO_NSEC + sim.ns -
			kvmclock_now();
	uint32_t version = (get32(w) | 1) + 1;

	put32(w, version - 1);
	put32(w + 4, (uint32_t)(boot / 1000000000u));
	put32(w + 8, (uint32_t)(boot % 1000000000u));
	put32(w, version);
}

/* In a TD an MSR access the TDX module leaves to the VMM is a #VE, which
 * OVMF's handler turns into TDG.VP.VMCALL<Instruction.RDMSR/WRMSR>; when
 * the host refuses it the handler halts the TD (TDVMCALL_HALT, then
 * CpuDeadLoop: OvmfPkg CcExitVeHandler.c) and no report is ever made. Of
 * the paravirtual MSRs KVM emulates only MSR_KVM_POLL_CONTROL for a TD
 * (arch/x86/kvm/vmx/tdx.c, tdx_has_emulated_msr): any other ends the test
 * as it would end the TD. */
static void sim_td_msr(uint32_t msr, const char *access)
{
	if (sim.td && msr != 0x4b564d05)
		fail_msg("%s of MSR 0x%x in a TD: KVM refuses it, OVMF's #VE handler halts the TD",
			 access, msr);
}

static bool sim_read_msr(void *context, uint32_t msr, uint64_t *value, uint8_t *vector)
{
	(void)context;
	sim_td_msr(msr, "RDMSR");
	sim_exit(1000);
	struct sim_msr *slot = sim_msr(msr);
	if (msr == sim.faulting_msr || !slot) {
		*vector = 13;
		return false;
	}
	if (msr == 0x10)
		*value = sim_tsc();
	else if (msr == 0x40000020)
		*value = (uint64_t)((double)sim.ns / 100 * sim.reference_rate);
	else if (msr == 0x40000002)
		*value = sim.vp_index;
	else if (msr == 0x4b564d07 || msr == sim.forgetful_msr)
		*value = 0; /* the ACK reads 0 */
	else
		*value = slot->value;
	return true;
}

static bool sim_write_msr(void *context, uint32_t msr, uint64_t value, uint8_t *vector)
{
	(void)context;
	sim_td_msr(msr, "WRMSR");
	sim_exit(1000);
	struct sim_msr *slot = sim_msr(msr);
	/* the reference counter and the VP index are the host's to set */
	if (msr == sim.faulting_msr || !slot || msr == 0x40000020 || msr == 0x40000002) {
		*vector = 13;
		return false;
	}
	if (sim.write_count < sizeof(sim.written) / sizeof(sim.written[0]))
		sim.written[sim.write_count++] = (struct sim_write){ msr, value };
	if (msr == sim.forced_msr && !sim.interrupts_off)
		sim.forced_write_with_interrupts_on = true;
	if (msr == sim.sticky_msr && !(value & 1))
		return true;
	slot->value = value;
	if (msr == 0x12 || msr == 0x4b564d01) {
		sim.old_kvmclock = msr == 0x12;
		sim.pvclock_address = value & 1 ? value & ~1ull : 0;
		sim.pvclock_offset_ns = 0;
		sim.pvclock_since = 0;
		if (sim.pvclock_address && !sim.pvclock_ignored)
			sim_write_pvclock();
	}
	if ((msr == 0x11 || msr == 0x4b564d00) && value && !sim.wall_ignored)
		sim_write_wall_clock(value);
	if (msr == 0x40000021 && (value & 1) && !sim.tsc_page_ignored) {
		sim.tsc_page_since = sim.tsc_reads_since_page = 0;
		sim_write_tsc_page(value);
	}
	if (msr == 0x4b564d03)
		sim.steal_since = 0;
	return true;
}

static uint64_t sim_read_tsc(void *context)
{
	(void)context;
	sim_event(10);
	struct sim_msr *tsc_page = sim_msr(0x40000021);
	if (tsc_page->value & 1)
		sim.tsc_reads_since_page++;
	if ((tsc_page->value & 1) && sim.tsc_reads_since_page == sim.tsc_page_blink_at_read)
		put32(guest_memory(tsc_page->value & ~0xfffull), 0);
	if ((tsc_page->value & 1) && sim.tsc_reads_since_page == sim.tsc_page_torn_at_read) {
		/* the host starts an update: sequence 0, a new scale half written */
		uint8_t *page = guest_memory(tsc_page->value & ~0xfffull);
		put32(page, 0);
		put64(page + 8, 1ull << 62);
	}
	return sim_tsc();
}

static uint32_t sim_read_pm_timer(void *context)
{
	(void)context;
	if (sim.pm_timer_stopped)
		return 1234;
	sim_exit(sim.pm_latency_ns / 2);
	uint32_t value = (uint32_t)scale_u64(sim.ns, PM_TIMER_HZ, 1000000000u);
	sim.ns += sim.pm_latency_ns - sim.pm_latency_ns / 2;
	sim.random = sim.random * 6364136223846793005ull + 1442695040888963407ull;
	if (sim.pm_stall_one_in && (sim.random >> 33) % sim.pm_stall_one_in == 0)
		sim.ns += sim.pm_stall_ns;
	return value;
}

static bool sim_hypercall(void *context, bool vmmcall, uint64_t nr, const uint64_t a[4],
			  uint64_t *ret, uint8_t *vector)
{
	(void)context;
	sim_exit(1000);
	assert_int_equal(vmmcall, !sim.intel); /* AMD's instruction on AMD, Intel's on Intel */
	/* In a TD, OVMF's #VE handler takes VMCALL for a no-op (CcExitVeHandler.c,
	 * EXIT_REASON_VMCALL): RAX keeps the number. */
	if (sim.td) {
		*ret = nr;
		return true;
	}
	if (sim.hypercall_ud) {
		*vector = 6;
		return false;
	}
	/* Under SEV-ES and SNP (SEV_STATUS bit 1) the host sees what OVMF's #VC
	 * handler puts in the GHCB, RAX and CPL (CcExitVcHandler.c,
	 * VmmCallExit), and KVM reads a register it was not given as 0
	 * (svm.h, kvm_ghcb_get_rbx_if_valid). */
	struct sim_msr *sev = sim_msr(0xc0010131);
	if (nr == 11)
		sim.yield_target = sev && (sev->value & 2) ? 0 : a[0];
	*ret = nr == 11 ? 0 : (uint64_t)-1000; /* KVM_HC_SCHED_YIELD, else -KVM_ENOSYS */
	return true;
}

/* The RTC's fields: UTC, minus TimeZone minutes when it names one
 * (Localtime = UTC - TimeZone), plus whatever it is off by. */
static bool sim_rtc(void *context, int64_t *seconds, int16_t *zone_minutes)
{
	(void)context;
	sim_exit(1000);
	int64_t utc = UTC_AT_ZERO_S + (int64_t)((UTC_AT_ZERO_NSEC + sim.ns) / 1000000000u);
	int16_t zone = sim.rtc_zone_minutes;
	*seconds = utc + sim.rtc_ahead_s - (zone >= -1440 && zone <= 1440 ? zone * 60 : 0);
	*zone_minutes = zone;
	return true;
}

static void sim_interrupts_off(void *context)
{
	(void)context;
	assert_false(sim.interrupts_off);
	sim.interrupts_off = true;
}

static void sim_interrupts_restore(void *context)
{
	(void)context;
	assert_true(sim.interrupts_off);
	sim.interrupts_off = false;
}

/* KVM injects the interrupt and, with PV EOI registered, sets the word's
 * bit 0 (lapic.c, apic_sync_pv_eoi_to_guest); the handler, as the firmware's
 * does, clears it instead of an EOI; at the next exit KVM completes the EOI
 * when the guest cleared it (apic_sync_pv_eoi_from_guest). */
static void sim_self_interrupt(void *context, volatile uint32_t *pv_eoi,
			       struct interrupt_seen *seen)
{
	(void)context;
	sim_exit(1000);
	uint64_t registered = sim_msr(0x4b564d04)->value;
	*seen = (struct interrupt_seen){ .apic_enabled = !sim.apic_disabled };
	if (sim.apic_disabled)
		return;
	seen->sent = seen->handled = true;
	bool busy = sim.busy_sends && sim.busy_sends--;
	if ((registered & 1) && !sim.pv_eoi_unused && !busy &&
	    guest_memory(registered & ~1ull) == (uint8_t *)(uintptr_t)pv_eoi)
		*pv_eoi |= 1u;
	if (*pv_eoi & 1u) {
		*pv_eoi &= ~1u;
		seen->pv_eoi_flag = true;
	}
	sim_exit(1000);
	seen->still_in_service = seen->pv_eoi_flag && sim.eoi_lost;
}

/* --- every vCPU ------------------------------------------------------- */

/* The probe across vCPUs touches MSR_KVM_SYSTEM_TIME_NEW alone; vCPU 0's
 * is the sim's own, with all it does. */
static uint64_t sim_any_vcpu_read_msr(uint32_t msr)
{
	uint64_t value;
	uint8_t vector;

	assert_int_equal(msr, 0x4b564d01);
	if (!sim.current) {
		assert_true(sim_read_msr(NULL, msr, &value, &vector));
		return value;
	}
	sim_exit(1000);
	return sim.vcpu[sim.current].system_time;
}

static void sim_any_vcpu_write_msr(uint32_t msr, uint64_t value)
{
	struct sim_vcpu *v = &sim.vcpu[sim.current];
	uint8_t vector;

	assert_int_equal(msr, 0x4b564d01);
	if (!sim.current) {
		assert_true(sim_write_msr(NULL, msr, value, &vector));
		return;
	}
	sim_exit(1000);
	v->system_time = value;
	v->writes++;
	if ((value & 1) && !v->ignored)
		sim_write_pvclock_at(value & ~1ull, v->lag_ns);
}

/* Round-robin, one step of each vCPU at a time, until all returned false
 * or the time is up; a vCPU that hangs stops stepping after its fourth. */
static void sim_every_vcpu(void *context, vcpu_step step, void *argument, uint32_t timeout_us,
			   bool *started, bool *finished)
{
	bool running[8];
	uint64_t steps[8] = { 0 }, deadline = sim.ns + (uint64_t)timeout_us * 1000u;

	(void)context;
	for (size_t i = 0; i < sim.vcpus; i++) {
		started[i] = !sim.vcpu[i].not_started;
		running[i] = started[i];
		finished[i] = false;
	}
	for (bool stepped = true; stepped && sim.ns < deadline;) {
		stepped = false;
		for (size_t i = 0; i < sim.vcpus; i++) {
			if (!running[i] || (sim.vcpu[i].hangs && steps[i] >= 4))
				continue;
			stepped = true;
			steps[i]++;
			sim.current = i;
			running[i] = step(argument, i);
			finished[i] = !running[i];
			sim.ns += sim.step_ns;
		}
	}
	sim.current = 0;
}

/* TDG.VP.INFO (Intel TDX module ABI): GPAW 52 in RCX, no attributes, one
 * vCPU of one in R8. */
static bool sim_tdcall(void *context, uint64_t leaf, const uint64_t in[3], uint64_t *status,
		       uint64_t out[6], uint8_t *vector)
{
	(void)context;
	(void)in;
	sim_exit(1000);
	if (!sim.td || leaf != 1) {
		*vector = 6;
		return false;
	}
	*status = 0;
	out[0] = 52;
	out[1] = 0;
	out[2] = 1ull << 32 | 1;
	out[3] = out[4] = out[5] = 0;
	return true;
}

static struct probe_machine sim_machine(void)
{
	struct probe_machine m = {
		.read_msr = sim_read_msr, .write_msr = sim_write_msr, .read_tsc = sim_read_tsc,
		.read_pm_timer = sim_read_pm_timer, .pm_timer_mask = 0xffffff,
		.hypercall = sim_hypercall, .tdcall = sim_tdcall, .rtc = sim_rtc,
		.interrupts_off = sim_interrupts_off,
		.interrupts_restore = sim_interrupts_restore,
		.self_interrupt = sim.no_local_apic ? NULL : sim_self_interrupt,
		.pages = { sim.pages[0], sim.pages[1] },
		.page_addresses = { PAGE_BASE, PAGE_BASE + 4096 },
		.vcpu_count = sim.vcpus ? sim.vcpus : 1,
		.every_vcpu = sim.vcpus > 1 ? sim_every_vcpu : NULL,
		.any_vcpu_read_msr = sim_any_vcpu_read_msr,
		.any_vcpu_write_msr = sim_any_vcpu_write_msr,
	};
	for (size_t i = 0; i < sim.vcpus; i++)
		m.vcpu_numbers[i] = (uint32_t)i;
	return m;
}

/* A freshly reset vCPU: every MSR 0 but poll control (1: host polling on,
 * KVM's kvm_vcpu_reset). */
static void sim_reset(void)
{
	static const uint32_t msrs[] = { 0x10, 0x11, 0x12, 0x4b564d02, 0x4b564d03,
					 0x4b564d04, 0x4b564d05, 0x4b564d06, 0x4b564d07,
					 0x40000002, 0x40000020, 0x40000021, 0xc0010117 };

	memset(&sim, 0, sizeof(sim));
	sim.ns = 5000000000ull;
	sim.tsc_hz = 2000000000u;
	sim.pm_latency_ns = 20000;
	sim.kvmclock_rate = 1.0;
	sim.reference_rate = 1.0;
	sim.host_tsc_stable = true;
	sim.rtc_zone_minutes = RTC_ZONE_UNSPECIFIED;
	for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++)
		sim.msrs[sim.msr_count++] = (struct sim_msr){ msrs[i], 0, 0 };
	sim_msr(0x4b564d05)->value = sim_msr(0x4b564d05)->initial = 1;
}

/* The first value the probes wrote to msr, or none. */
static bool sim_wrote_value(uint32_t msr, uint64_t *value)
{
	for (size_t i = 0; i < sim.write_count; i++)
		if (sim.written[i].msr == msr) {
			*value = sim.written[i].value;
			return true;
		}
	return false;
}

static bool sim_wrote(uint32_t msr)
{
	uint64_t value;
	return sim_wrote_value(msr, &value);
}

/* Which kvmclock system-time MSR was written last. */
static uint32_t last_system_time_write(void)
{
	for (size_t i = sim.write_count; i-- > 0;)
		if (sim.written[i].msr == 0x12 || sim.written[i].msr == 0x4b564d01)
			return sim.written[i].msr;
	return 0;
}

#define KVM_HOST_DUMP "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt"
#define KVM_HV_DUMP "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt"
/* "AuthenticAMD" in leaf 0 order EBX, EDX, ECX */
#define VENDOR_AMD 0x68747541, 0x444d4163, 0x69746e65

/* KVM at 0x40000000 with these feature bits and, when tsc_khz, the timing
 * leaf 0x40000010. */
static struct hv_report *scan_kvm(uint32_t features, uint32_t tsc_khz)
{
	static struct cpuid_record records[5];
	size_t n = 0;

	records[n++] = (struct cpuid_record)LEAF(0, 1, VENDOR_AMD);
	records[n++] = (struct cpuid_record)LEAF(1, 0x00800f12, 0, HYPERVISOR_BIT, 0);
	records[n++] = (struct cpuid_record)LEAF(0x40000000, tsc_khz ? 0x40000010 : 0x40000001,
						 SIG_KVM);
	records[n++] = (struct cpuid_record)LEAF(0x40000001, features, 0, 0, 0);
	if (tsc_khz)
		records[n++] = (struct cpuid_record)LEAF(0x40000010, tsc_khz, 1000000, 0, 0);
	return scan_records(records, n);
}

/* Linux kvm_para.h bits */
#define CLOCKSOURCE (1u << 0)
#define CLOCKSOURCE2 (1u << 3)
#define ASYNC_PF (1u << 4)
#define STEAL_TIME (1u << 5)
#define PV_EOI (1u << 6)
#define ASYNC_PF_INT (1u << 14)
#define STABLE_BIT (1u << 24)

static const struct probe_result *result_of(const struct hv_report *report, const char *key)
{
	for (size_t i = 0; i < report->probes.count; i++)
		if (!strcmp(report->probes.results[i].key, key))
			return &report->probes.results[i];
	fail_msg("no probe %s", key);
	return NULL;
}

static uint64_t value_of(const struct hv_report *report, const char *key, const char *name)
{
	const struct probe_result *r = result_of(report, key);
	for (size_t i = 0; i < r->value_count; i++)
		if (!strcmp(r->values[i].name, name))
			return r->values[i].value;
	fail_msg("%s has no value %s", key, name);
	return 0;
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

static struct hv_report *probe_with(struct hv_report *report, const struct forced_msr *forced)
{
	struct probe_machine m = sim_machine();
	probe_run(report, &m, forced);
	return report;
}

/* The machine as it was found: every MSR the probes wrote holds what it
 * held at reset (0, poll control 1), the report says each was put back,
 * the pages are free, and KVM's master clock is as it was. */
static void assert_as_found(const struct hv_report *report)
{
	assert_false(report->probes.pages_in_use);
	for (size_t i = 0; i < report->probes.restore_count; i++)
		assert_true(report->probes.restores[i].restored);
	for (size_t i = 0; i < sim.msr_count; i++)
		if (sim.msrs[i].msr != 0x10 && sim.msrs[i].value != sim.msrs[i].initial)
			fail_msg("MSR 0x%x holds 0x%lx, found 0x%lx", sim.msrs[i].msr,
				 (unsigned long)sim.msrs[i].value, (unsigned long)sim.msrs[i].initial);
	assert_false(sim.old_kvmclock);
	assert_false(sim.interrupts_off);
	for (size_t i = 1; i < sim.vcpus; i++)
		if (sim.vcpu[i].system_time)
			fail_msg("vCPU %zu holds 0x%lx", i, (unsigned long)sim.vcpu[i].system_time);
}

/* --- what is put back -------------------------------------------------- */

/* The real KVM's -cpu host leaves: everything but the timing leaf and
 * Hyper-V works, and every MSR ends as it started, the wall-clock pair too. */
static void test_kvm_host_probes(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	const char *works[] = { "kvm.clocksource2", "kvm.clocksource", "kvm.steal_time",
				"kvm.async_pf", "kvm.pv_eoi", "kvm.poll_control",
				"kvm.async_pf_int", "kvm.hypercall", "kvm.pv_sched_yield" };
	for (size_t i = 0; i < sizeof(works) / sizeof(works[0]); i++)
		assert_state(report, works[i], PROBE_WORKS, NULL);
	assert_state(report, "kvm.tsc_khz", PROBE_NOT_ADVERTISED, NULL);
	assert_state(report, "hyperv.vp_index", PROBE_NOT_ADVERTISED, NULL);
	/* Linux kvm_para.h: MSR_KVM_SYSTEM_TIME_NEW and _WALL_CLOCK_NEW; then
	 * both system-time MSRs (the one to be written last, _NEW, first),
	 * MSR_KVM_WALL_CLOCK; _STEAL_TIME, _ASYNC_PF_EN, _PV_EOI_EN,
	 * _POLL_CONTROL, _ASYNC_PF_INT, _ASYNC_PF_ACK: the probes' order, each
	 * MSR noted by the probe that writes it. */
	static const uint32_t noted[] = { 0x4b564d01, 0x4b564d00, 0x4b564d01, 0x12, 0x11,
					  0x4b564d03, 0x4b564d02, 0x4b564d04, 0x4b564d05,
					  0x4b564d06, 0x4b564d07 };
	assert_int_equal(report->probes.restore_count, sizeof(noted) / sizeof(noted[0]));
	for (size_t i = 0; i < sizeof(noted) / sizeof(noted[0]); i++)
		assert_int_equal(report->probes.restores[i].msr, noted[i]);
	assert_as_found(report);
	const char *text = text_of(report);
	assert_contains(text, "  kvm.steal_time: works\n");
	assert_contains(text, "MSR_KVM_POLL_CONTROL=0x1");
	assert_contains(text, "restored MSR 0x00000011 to 0x0: read back equal");
	assert_contains(text, "restored MSR 0x4b564d00 to 0x0: read back equal");
	assert_contains(text, "memory: every registration undone, the pages released");
	assert_contains(text, "fault handlers: unregistered");
}

/* KVM keeps the wall-clock address and writes the structure there again
 * when QEMU restores it on migration: it must be 0 again, and 0 makes KVM
 * write nothing (x86.c, kvm_write_wall_clock). */
static void test_wall_clock_msrs_are_put_back(void **state)
{
	(void)state;
	sim_reset();
	probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_true(sim_wrote(0x11) && sim_wrote(0x4b564d00));
	assert_int_equal(sim_msr(0x11)->value, 0);
	assert_int_equal(sim_msr(0x4b564d00)->value, 0);
}

/* The legacy MSR turns KVM's master clock off until MSR_KVM_SYSTEM_TIME_NEW
 * is written: the legacy probe ends with that write, however it ends. */
static void test_the_legacy_probe_leaves_the_master_clock_on(void **state)
{
	(void)state;
	/* the probe ends early: its wall-clock MSR faults */
	sim_reset();
	sim.faulting_msr = 0x11;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource", PROBE_BROKEN, "#GP on MSR 0x11");
	assert_true(sim_wrote(0x12));
	assert_int_equal(last_system_time_write(), 0x4b564d01);
	assert_false(sim.old_kvmclock);

	/* the _NEW probe ends early, the legacy one still puts it right */
	sim_reset();
	sim.faulting_msr = 0x4b564d00;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_BROKEN, "#GP on MSR 0x4b564d00");
	assert_state(report, "kvm.clocksource", PROBE_WORKS, "stable flag clear");
	assert_int_equal(last_system_time_write(), 0x4b564d01);
	assert_false(sim.old_kvmclock);

	/* found registered by an earlier user, through whichever MSR: the
	 * registration is put back, and the master clock left on */
	sim_reset();
	sim_msr(0x12)->value = sim_msr(0x12)->initial = PAGE_BASE + 2048 + 1;
	sim.old_kvmclock = true;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_false(report->probes.pages_in_use);
	assert_int_equal(last_system_time_write(), 0x4b564d01);
	assert_false(sim.old_kvmclock);
	assert_int_equal(sim_msr(0x4b564d01)->value, PAGE_BASE + 2048 + 1);
}

/* QEMU's kvmclock property sets both bits; another hypervisor may offer
 * the legacy pair alone, and then nothing could undo its write. */
static void test_legacy_kvmclock_without_clocksource2_is_not_touched(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = probe_with(scan_kvm(CLOCKSOURCE | STABLE_BIT, 0), NULL);
	assert_state(report, "kvm.clocksource", PROBE_SKIPPED, "master clock off for good");
	assert_state(report, "kvm.clocksource2", PROBE_NOT_ADVERTISED, NULL);
	assert_int_equal(sim.write_count, 0);
	assert_false(sim.old_kvmclock);
}

static void test_a_registration_that_sticks_keeps_the_pages(void **state)
{
	(void)state;
	sim_reset();
	sim.sticky_msr = 0x4b564d03; /* the host ignores disabling steal time */
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_true(report->probes.pages_in_use);
	assert_contains(text_of(report), "pages stay reserved");
	assert_contains(text_of(report), "restored MSR 0x4b564d03 to 0x0: FAILED");
}

static void test_handlers_left_registered_are_reported(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	report->probes.handlers_left = "the firmware refused to unregister a handler";
	assert_contains(text_of(report), "  fault handlers: NOT all unregistered:\n"
			"      the firmware refused to unregister a handler\n");
}

/* --- clocks against the PM timer --------------------------------------- */

static void assert_kvmclock_off_by(double rate, enum probe_state expected)
{
	sim_reset();
	sim.kvmclock_rate = rate;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	if (result_of(report, "kvm.clocksource2")->state != expected)
		fail_msg("kvmclock at %.4f: %s (%s)", rate,
			 probe_state_name(result_of(report, "kvm.clocksource2")->state),
			 result_of(report, "kvm.clocksource2")->detail);
	assert_as_found(report);
}

static void test_clocks_off_by_a_little_or_a_lot(void **state)
{
	(void)state;
	/* past the 1000 ppm limit either way, whatever the brackets hide */
	assert_kvmclock_off_by(1.01, PROBE_BROKEN);
	assert_kvmclock_off_by(1.005, PROBE_BROKEN);
	assert_kvmclock_off_by(0.995, PROBE_BROKEN);
	assert_kvmclock_off_by(1.002, PROBE_BROKEN);
	assert_kvmclock_off_by(0.998, PROBE_BROKEN);
	assert_kvmclock_off_by(1.0005, PROBE_WORKS);
	assert_kvmclock_off_by(0.9995, PROBE_WORKS);
	/* at the limit: not works, whatever the noise */
	sim_reset();
	sim.kvmclock_rate = 1.001;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_int_not_equal(result_of(report, "kvm.clocksource2")->state, PROBE_WORKS);
	assert_contains(text_of(report), "  kvm.clocksource: ");

	sim_reset();
	sim.zero_multiplier = true;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_BROKEN, "tsc_to_system_mul is 0");
}

/* A PM timer read that traps for 500 us (a loaded host) leaves 5000 ppm
 * uncertain over 100 ms: the interval is lengthened until it can be
 * judged, and a clock 0.5% off is still caught; at 3 ms a trap nothing can
 * be told apart from the limit, and nothing is claimed. */
static void test_a_noisy_pm_timer_lengthens_the_interval(void **state)
{
	(void)state;
	sim_reset();
	sim.pm_latency_ns = 500000;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_WORKS, NULL);
	assert_true(value_of(report, "kvm.clocksource2", "uncertainty_ppm") <= 500);
	assert_true(value_of(report, "kvm.clocksource2", "pm_timer_ticks") > PM_TIMER_HZ / 2);

	sim_reset();
	sim.pm_latency_ns = 500000;
	sim.kvmclock_rate = 1.005;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_BROKEN, "past the 1000 ppm limit");

	sim_reset();
	sim.pm_latency_ns = 3000000;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_SKIPPED, "too noisy to judge");
	assert_as_found(report);
	/* 0.2% off, past the limit, but not past it by more than the noise
	 * could hide: nothing is claimed either way */
	sim_reset();
	sim.pm_latency_ns = 3000000;
	sim.kvmclock_rate = 1.002;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_SKIPPED, "too noisy to judge");
}

/* A PM timer read that now and then stalls 30 ms (one in three): of five
 * tries at each end one is nearly always clean, and the clean one counts. */
static void test_stalls_are_left_out_of_the_brackets(void **state)
{
	(void)state;
	sim_reset();
	sim.pm_stall_one_in = 3;
	sim.pm_stall_ns = 30000000;
	sim.random = 1;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	const char *clocks[] = { "hyperv.time_ref_count", "hyperv.reference_tsc",
				 "kvm.clocksource2", "kvm.clocksource" };
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
		assert_state(report, clocks[i], PROBE_WORKS, NULL);
}

/* A TSC above 1 GHz makes KVM's shift negative (kvm_get_time_scale). */
static void test_a_fast_tsc_and_a_negative_shift(void **state)
{
	(void)state;
	sim_reset();
	sim.tsc_hz = 3000000000u;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_int_equal((int64_t)value_of(report, "kvm.clocksource2", "tsc_shift"), -1);
	assert_state(report, "kvm.clocksource2", PROBE_WORKS, NULL);
}

/* The timing leaf's TSC kHz against the PM timer (QEMU fills it from
 * tsc-frequency); a TSC 0.5% off what it says is caught. */
static void test_the_timing_leaf_against_the_tsc(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = probe_with(scan_kvm(CLOCKSOURCE2, 2000000), NULL);
	assert_state(report, "kvm.tsc_khz", PROBE_WORKS, NULL);
	sim_reset();
	sim.tsc_hz = 2010000000u;
	report = probe_with(scan_kvm(CLOCKSOURCE2, 2000000), NULL);
	assert_state(report, "kvm.tsc_khz", PROBE_BROKEN, "the TSC ran +");
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
	assert_state(report, "kvm.poll_control", PROBE_WORKS, NULL);
	assert_int_equal(report->probes.pm_ticks, 0);
	assert_as_found(report);

	/* A timer that stops is told within PM_STUCK_READS equal reads. */
	sim_reset();
	sim.pm_timer_stopped = true;
	report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_SKIPPED, "the ACPI PM timer stopped");
	assert_state(report, "hyperv.reference_tsc", PROBE_SKIPPED, "the ACPI PM timer stopped");
	assert_as_found(report);
}

/* --- kvmclock ---------------------------------------------------------- */

/* A host update that goes back 1 us: with PVCLOCK_TSC_STABLE_BIT a fault,
 * without it what Linux hides (pvclock_clocksource_read's last value). */
static void test_kvmclock_going_back(void **state)
{
	(void)state;
	sim_reset();
	sim.step_back_after = 40;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_BROKEN, "with PVCLOCK_TSC_STABLE_BIT set");
	assert_as_found(report);

	sim_reset();
	sim.step_back_after = 40;
	sim.host_tsc_stable = false;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_WORKS, "went back in 1 of 1000 reads");
	/* 1 us, less the 20 ns the two reads took */
	assert_int_equal(value_of(report, "kvm.clocksource2", "largest_step_back_ns"), 980);
}

/* Without a master clock KVM re-anchors each rewrite of the pvclock from a
 * host TSC and a host clock read apart (x86.c, kvm_guest_time_update), so
 * a rewrite may step kvmclock forward: a step is no rate, and the rate is
 * judged between rewrites. With PVCLOCK_TSC_STABLE_BIT a step is the
 * fault the flag rules out. */
static struct hv_report *probe_with_steps(bool master_clock, uint64_t every, int64_t step_ns,
				   double rate)
{
	sim_reset();
	sim.host_tsc_stable = master_clock;
	sim.rewrite_after = 3000;
	sim.rewrite_every = every;
	sim.rewrite_step_ns = step_ns;
	sim.kvmclock_rate = rate;
	return probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
}

static void test_a_rewrite_that_steps_kvmclock(void **state)
{
	(void)state;
	/* both probes, the legacy one (never stable under KVM) as on the bed */
	static const char *const probes[] = { "kvm.clocksource2", "kvm.clocksource" };
	static const int64_t steps[] = { 5000000, -3000000 };
	for (size_t s = 0; s < 2; s++) {
		struct hv_report *report = probe_with_steps(false, 0, steps[s], 1.0);
		for (size_t i = 0; i < 2; i++) {
			assert_state(report, probes[i], PROBE_WORKS,
				     "rate judged between rewrites; across one it ran ");
			assert_int_equal(value_of(report, probes[i], "intervals_rewritten"), 1);
			assert_int_equal(value_of(report, probes[i], "deviation_ppm"), 0);
			/* the step, give or take the brackets and its sign kept */
			int64_t excess = (int64_t)value_of(report, probes[i],
							   "largest_rewritten_excess_ns");
			assert_true(excess > steps[s] - 100000 && excess < steps[s] + 100000);
		}
		assert_as_found(report);
	}

	/* the rate is still judged, in the interval without a rewrite */
	struct hv_report *report = probe_with_steps(false, 0, 5000000, 1.01);
	assert_state(report, "kvm.clocksource", PROBE_BROKEN, "past the 1000 ppm limit");
	assert_int_equal(value_of(report, "kvm.clocksource", "intervals_rewritten"), 1);

	/* with steps back as well, every value and remark is kept, the wall
	 * clock's and the stable flag's last */
	sim_reset();
	sim.host_tsc_stable = false;
	sim.step_back_after = 40;
	sim.rewrite_after = 3000;
	sim.rewrite_step_ns = 5000000;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	const struct probe_result *r = result_of(report, "kvm.clocksource");
	assert_int_equal(r->value_count, 16);
	assert_int_equal(value_of(report, "kvm.clocksource", "wall_minus_rtc_s"), 0);
	assert_state(report, "kvm.clocksource", PROBE_WORKS, "went back in 1 of 1000 reads");
	const char *last = "as KVM keeps no master clock for the legacy MSR";
	assert_string_equal(r->detail + strlen(r->detail) - strlen(last), last);

	/* with the master clock the flag is set, and the step is the rate's */
	report = probe_with_steps(true, 0, 5000000, 1.0);
	assert_state(report, "kvm.clocksource2", PROBE_BROKEN, "off the ACPI PM timer");
	assert_state(report, "kvm.clocksource", PROBE_WORKS, "rate judged between");

	/* rewritten in every interval, each step longer: nothing to judge
	 * the rate by, and the largest step is the one shown */
	sim_reset();
	sim.host_tsc_stable = false;
	sim.rewrite_after = 3000;
	sim.rewrite_every = 1000;
	sim.rewrite_step_ns = 1000000;
	sim.rewrite_step_growth_ns = 1000000;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	for (size_t i = 0; i < 2; i++) {
		assert_state(report, probes[i], PROBE_SKIPPED,
			     "kvmclock was rewritten by the host during each of 5 intervals");
		assert_int_equal(value_of(report, probes[i], "intervals_rewritten"), 5);
	}
	/* the first interval's steps came to about 10 ms, a later one's to 110 */
	assert_true((int64_t)value_of(report, "kvm.clocksource2", "largest_rewritten_excess_ns") >
		    50000000);
	assert_as_found(report);
}

/* The host in the middle of an update for a while (version odd, a field
 * half written): readers wait for an even version. */
static void test_an_update_in_progress_is_waited_out(void **state)
{
	(void)state;
	sim_reset();
	sim.update_after = 40;
	sim.update_span = 10;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_WORKS, NULL);
}

static void test_the_stable_flag_against_the_bit(void **state)
{
	(void)state;
	/* The dump advertises KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (0x01007afb):
	 * a clear flag is remarked upon, a set one is what it promises. */
	sim_reset();
	sim.host_tsc_stable = false;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_WORKS, "no host master clock");
	sim_reset();
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_string_equal(result_of(report, "kvm.clocksource2")->detail, "");
	/* the legacy MSR itself turns the master clock off (KVM), and the
	 * remark says so rather than blame the host */
	assert_state(report, "kvm.clocksource", PROBE_WORKS,
		     "as KVM keeps no master clock for the legacy MSR");
	sim_reset();
	report = probe_with(scan_kvm(CLOCKSOURCE2, 0), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_WORKS, "not advertised: guests ignore it");
}

static void test_wall_clock_against_the_rtc(void **state)
{
	(void)state;
	/* An RTC on local time (UTC+01:00), zone unspecified: a time zone. */
	sim_reset();
	sim.rtc_ahead_s = 3600;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_WORKS, NULL);
	/* Beyond a whole quarter hour is not: 3 and 10 s. */
	sim_reset();
	sim.rtc_ahead_s = 3600 + 10;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_BROKEN,
		     "the wall clock is -10 s from the firmware clock");
	sim_reset();
	sim.rtc_ahead_s = 3;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_BROKEN, "is -3 s from");
	/* 2 s is the limit; the host's nanoseconds (0.999999999 s) count */
	sim_reset();
	sim.rtc_ahead_s = 2;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_WORKS, NULL);
	assert_int_equal((int64_t)value_of(report, "kvm.clocksource2", "wall_minus_rtc_s"), -2);
	assert_as_found(report);
}

/* An RTC that names its zone is compared in UTC, not modulo a zone. */
static void test_wall_clock_against_an_rtc_that_names_its_zone(void **state)
{
	(void)state;
	sim_reset();
	sim.rtc_zone_minutes = -60; /* UTC+01:00, and the RTC holds that */
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_WORKS, NULL);
	assert_int_equal((int64_t)value_of(report, "kvm.clocksource2", "rtc_zone_s"), -3600);
	/* says UTC, holds UTC+01:00: an hour off */
	sim_reset();
	sim.rtc_zone_minutes = 0;
	sim.rtc_ahead_s = 3600;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_BROKEN, "is -3600 s from");
}

/* --- steal time, registrations ----------------------------------------- */

/* Hosts that never write what was registered. */
static void test_structures_never_written(void **state)
{
	(void)state;
	sim_reset();
	sim.steal_ignored = true;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.steal_time", PROBE_BROKEN, "did not write the steal-time area");
	sim_reset();
	sim.pvclock_ignored = true;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_BROKEN, "never wrote the time page");
	sim_reset();
	sim.wall_ignored = true;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.clocksource2", PROBE_BROKEN, "wall clock structure was not written");
	assert_as_found(report);
}

static void test_a_vp_index_past_the_maximum(void **state)
{
	(void)state;
	sim_reset();
	sim.vp_index = 1024; /* 0x40000005 EAX of the dump: 1024 processors */
	struct hv_report *report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "hyperv.vp_index", PROBE_BROKEN, "not below the 1024 processors");
	sim_reset();
	sim.vp_index = 1023;
	report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "hyperv.vp_index", PROBE_WORKS, NULL);
}

static void test_steal_time_going_backwards(void **state)
{
	(void)state;
	sim_reset();
	sim.steal_backwards_after = 100;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.steal_time", PROBE_BROKEN, "steal time went backwards");
	assert_as_found(report);
}

/* Registrations carry what a guest writes, read back as written; what
 * cannot be watched from firmware is said in the remark. */
static void test_registrations_are_read_back(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.async_pf", PROBE_WORKS, "its use is not observed");
	assert_state(report, "kvm.poll_control", PROBE_WORKS, "the effect is not observed");
	assert_state(report, "kvm.async_pf_int", PROBE_WORKS, "the effect is not observed");
	/* without KVM_FEATURE_ASYNC_PF_INT a host may answer with a #PF: only 0 */
	sim_reset();
	report = probe_with(scan_kvm(CLOCKSOURCE2 | ASYNC_PF, 0), NULL);
	assert_state(report, "kvm.async_pf", PROBE_WORKS, "only 0 written");
	assert_false(sim_wrote(0x4b564d02) && sim_msr(0x4b564d02)->value);
	assert_as_found(report);
	/* a host that does not keep what was written */
	sim_reset();
	sim.forgetful_msr = 0x4b564d06;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.async_pf_int", PROBE_BROKEN,
		     "MSR 0x4b564d06 read back 0x0 after 0xf3 was written");
}

static void test_async_pf_registers_an_area_without_delivery(void **state)
{
	uint64_t value;

	(void)state;
	sim_reset();
	struct hv_report *report = probe_with(scan_kvm(ASYNC_PF | ASYNC_PF_INT, 0), NULL);
	assert_state(report, "kvm.async_pf", PROBE_WORKS, "area registered and read back");
	/* msr.rst: a 64-byte aligned area, bit 0 enabled, and bits 1
	 * (KVM_ASYNC_PF_SEND_ALWAYS) to 3 (KVM_ASYNC_PF_DELIVERY_AS_INT) clear */
	assert_true(sim_wrote_value(0x4b564d02, &value));
	assert_int_equal(value & 0x3f, 1);
	assert_int_equal(value & ~0xfffull, PAGE_BASE);
	assert_as_found(report);
}

static void test_pv_eoi_is_watched_in_use(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.pv_eoi", PROBE_WORKS, NULL);
	assert_int_equal(value_of(report, "kvm.pv_eoi", "pv_eoi_flag_set"), 1);
	assert_as_found(report);

	assert_int_equal(value_of(report, "kvm.pv_eoi", "interrupts_sent"), 1);

	/* another interrupt pending at the first sends: sent again */
	sim_reset();
	sim.busy_sends = 4;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.pv_eoi", PROBE_WORKS, NULL);
	assert_int_equal(value_of(report, "kvm.pv_eoi", "interrupts_sent"), 5);

	sim_reset();
	sim.busy_sends = 5;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.pv_eoi", PROBE_SKIPPED, "the host ended 5 interrupts without "
			"setting the PV EOI flag");

	sim_reset();
	sim.pv_eoi_unused = true;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.pv_eoi", PROBE_SKIPPED, "without setting the PV EOI flag");

	sim_reset();
	sim.eoi_lost = true;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.pv_eoi", PROBE_BROKEN, "never completed the EOI");

	sim_reset();
	sim.apic_disabled = true;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.pv_eoi", PROBE_SKIPPED, "local APIC software-disabled");

	sim_reset();
	sim.no_local_apic = true;
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), NULL);
	assert_state(report, "kvm.pv_eoi", PROBE_SKIPPED, "no vector or local APIC");
	assert_as_found(report);
}

/* --- Hyper-V ----------------------------------------------------------- */

static void test_hyperv_probes(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "hyperv.vp_index", PROBE_WORKS, NULL);
	assert_state(report, "hyperv.time_ref_count", PROBE_WORKS, NULL);
	assert_state(report, "hyperv.reference_tsc", PROBE_WORKS, NULL);
	assert_state(report, "kvm.clocksource2", PROBE_WORKS, NULL);
	/* Hyper-V's clocks are measured first, before kvmclock is touched */
	assert_string_equal(report->probes.results[0].key, "hyperv.vp_index");
	assert_string_equal(report->probes.results[2].key, "hyperv.reference_tsc");
	assert_as_found(report);

	sim_reset();
	sim.reference_rate = 1.005;
	report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "hyperv.time_ref_count", PROBE_BROKEN, "past the 1000 ppm limit");
	assert_state(report, "hyperv.reference_tsc", PROBE_BROKEN, "past the 1000 ppm limit");
}

/* The TLFS lets the host keep the page invalid (sequence 0), or make it so
 * while in use: nothing measured is nothing claimed. A host that never
 * writes the page at all is broken. */
static void test_the_tsc_page_valid_invalid_or_never_written(void **state)
{
	(void)state;
	sim_reset();
	sim.tsc_page_invalid = true;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "hyperv.reference_tsc", PROBE_SKIPPED, "sequence 0");
	/* Broken between words, never inside one. */
	assert_contains(text_of(report), "  hyperv.reference_tsc: skipped: the host keeps the page "
			"invalid (sequence 0:\n      use the reference counter MSR)");
	assert_as_found(report);

	/* no master clock (an unstable host TSC): KVM keeps it invalid */
	sim_reset();
	sim.host_tsc_stable = false;
	report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "hyperv.reference_tsc", PROBE_SKIPPED, "sequence 0");

	sim_reset();
	sim.tsc_page_ignored = true;
	report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "hyperv.reference_tsc", PROBE_BROKEN, "never wrote the TSC page");

	/* invalid for a moment (a master clock update on one vCPU): the host
	 * makes it valid again at its next exit, which the reader gives it */
	sim_reset();
	sim.tsc_page_blink_at_read = 3;
	report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "hyperv.reference_tsc", PROBE_WORKS, NULL);

	sim_reset();
	sim.tsc_page_invalid_after = 100;
	report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "hyperv.reference_tsc", PROBE_SKIPPED, "turned invalid while in use");
	assert_as_found(report);
}

/* The host rewrites the page under the reader: sequence 0 and a new scale
 * half written, finished at its next turn. The sequence read again after
 * the fields tells the reader to try again. */
static void test_a_tsc_page_update_under_the_reader(void **state)
{
	(void)state;
	sim_reset();
	sim.tsc_page_torn_at_read = 1;
	struct hv_report *report = probe_with(scan_dump_file(KVM_HV_DUMP), NULL);
	assert_state(report, "hyperv.reference_tsc", PROBE_WORKS, NULL);
}

/* --- kvmclock across vCPUs ------------------------------------------- */

/* The vCPU section as the firmware reads it before the probes: every vCPU
 * answers as the boot vCPU (and, with kvm_bit, vCPU 2 flips that bit of
 * the KVM features word). */
static uint32_t other_kvm_bit;

static void same_describe(const struct vcpu_source *self, size_t index,
			  struct vcpu_identity *out)
{
	(void)self;
	*out = (struct vcpu_identity){ .number = (uint32_t)index, .apic_id = index,
				       .apic_id_known = true, .boot = !index, .enabled = true,
				       .healthy = true };
}

static enum vcpu_state same_read(const struct vcpu_source *self, size_t index,
				 struct cpuid_record *records, size_t count)
{
	const struct hv_report *boot = self->context;

	for (size_t i = 0; i < count; i++) {
		records[i].regs = *hv_report_leaf(boot, records[i].leaf, records[i].subleaf);
		if (index == 2 && records[i].leaf == 0x40000001)
			records[i].regs.eax ^= other_kvm_bit;
	}
	return VCPU_COMPARED;
}

/* sim_reset() with n vCPUs, each step 1 us: the KVM host recording on n
 * vCPUs, read and probed. */
static struct hv_report *probe_vcpus(size_t n)
{
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	struct vcpu_source source = { .context = report, .method = "simulated", .present = n,
				      .enabled = n, .describe = same_describe, .read = same_read };

	sim.vcpus = n;
	sim.step_ns = 1000;
	vcpus_read(report, &source);
	return probe_with(report, NULL);
}

/* MSR_KVM_SYSTEM_TIME_NEW on each vCPU, in the restore list by number
 * (this vCPU's entry just before the first other vCPU's); each other
 * vCPU's written twice: registered, then put back. */
static void assert_restored_on_every_vcpu(const struct hv_report *report, size_t n)
{
	size_t first = 1;

	while (first < report->probes.restore_count && !report->probes.restores[first].other_vcpu)
		first++;
	assert_true(first + n - 1 <= report->probes.restore_count);
	const struct msr_restore *r = &report->probes.restores[first - 1];

	for (size_t i = 0; i < n; i++, r++) {
		assert_int_equal(r->msr, 0x4b564d01);
		assert_int_equal(r->vcpu, i);
		assert_int_equal(r->other_vcpu, i != 0);
		assert_true(r->restored);
		if (i)
			assert_int_equal(sim.vcpu[i].writes, 2);
	}
}

/* Four vCPUs, one clock, the stable bit: works, nothing went back, and
 * every vCPU's MSR is back to what it held. */
static void test_kvmclock_on_every_vcpu(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = probe_vcpus(4);
	assert_state(report, "kvm.clock_cross_vcpu", PROBE_WORKS, "none went back");
	assert_int_equal(value_of(report, "kvm.clock_cross_vcpu", "vcpus"), 4);
	assert_int_equal(value_of(report, "kvm.clock_cross_vcpu", "warps"), 0);
	assert_int_equal(value_of(report, "kvm.clock_cross_vcpu", "stable_flag"), 1);
	/* all four read through the same 200 ms of kvmclock, less a step each */
	assert_true(value_of(report, "kvm.clock_cross_vcpu", "together_ms") >= 199);
	assert_restored_on_every_vcpu(report, 4);
	assert_as_found(report);
	const char *text = text_of(report);
	assert_contains(text, "  restored MSR 0x4b564d01 on vCPU 3 to 0x0: read back equal\n");
	hv_judge(report, &(struct judge_settings){ 0 });
	assert_contains(text_of(report), "PASS  probe.cleanup");
}

/* vCPU 2's kvmclock runs 5 us behind the others' (a TSC offset the host
 * did not account for): read right after another vCPU's, it goes back.
 * With PVCLOCK_TSC_STABLE_BIT Linux returns such reads as they are:
 * broken; without it, Linux returns its last value instead: a remark. */
static void test_warps_with_and_without_the_stable_bit(void **state)
{
	(void)state;
	sim_reset();
	sim.vcpu[2].lag_ns = 5000;
	struct hv_report *report = probe_vcpus(4);
	assert_state(report, "kvm.clock_cross_vcpu", PROBE_BROKEN,
		     "with PVCLOCK_TSC_STABLE_BIT set");
	uint64_t warps = value_of(report, "kvm.clock_cross_vcpu", "warps");
	assert_true(warps > 1000);
	assert_int_equal(value_of(report, "kvm.clock_cross_vcpu", "stable_warps"), warps);
	uint64_t largest = value_of(report, "kvm.clock_cross_vcpu", "largest_warp_ns");
	/* the lag, less the step vCPU 1 took before vCPU 2's read */
	assert_true(largest > 3000 && largest <= 5000);
	assert_restored_on_every_vcpu(report, 4);

	sim_reset();
	sim.host_tsc_stable = false; /* no master clock: the flag clear */
	sim.vcpu[2].lag_ns = 5000;
	report = probe_vcpus(4);
	assert_state(report, "kvm.clock_cross_vcpu", PROBE_WORKS, "Linux hides that");
	assert_true(value_of(report, "kvm.clock_cross_vcpu", "warps") > 1000);
	assert_int_equal(value_of(report, "kvm.clock_cross_vcpu", "stable_warps"), 0);
	assert_int_equal(value_of(report, "kvm.clock_cross_vcpu", "stable_flag"), 0);
	assert_as_found(report);
}

/* A vCPU that never finishes: not judged, its MSR not confirmed, so the
 * pages stay reserved and the cleanup fails; one never started: not
 * judged, nothing of it touched, the others put back. */
static void test_a_vcpu_that_times_out_or_never_starts(void **state)
{
	(void)state;
	sim_reset();
	sim.vcpu[3].hangs = true;
	struct hv_report *report = probe_vcpus(4);
	assert_state(report, "kvm.clock_cross_vcpu", PROBE_SKIPPED,
		     "vCPU 3 did not finish within 2000 ms");
	assert_true(report->probes.pages_in_use);
	size_t lost = 0;
	while (lost < report->probes.restore_count && !report->probes.restores[lost].vcpu_lost)
		lost++;
	assert_true(lost < report->probes.restore_count);
	assert_int_equal(report->probes.restores[lost].vcpu, 3);
	assert_false(report->probes.restores[lost].restored);
	assert_true(report->probes.restores[lost - 1].restored); /* vCPU 2's */
	assert_contains(text_of(report), "  restored MSR 0x4b564d01 on vCPU 3 to 0x0:\n"
					 "      NOT confirmed, the vCPU never finished\n");
	hv_judge(report, &(struct judge_settings){ 0 });
	/* the 11 of test_kvm_host_probes, and one on each of the 4 vCPUs */
	assert_contains(text_of(report), "FAIL  probe.cleanup: 14 of 15 MSRs read back as found");

	sim_reset();
	sim.vcpu[1].not_started = true;
	report = probe_vcpus(3);
	assert_state(report, "kvm.clock_cross_vcpu", PROBE_SKIPPED,
		     "the firmware did not start vCPU 1");
	assert_int_equal(sim.vcpu[1].writes, 0);
	assert_int_equal(sim.vcpu[2].writes, 2);
	assert_as_found(report);
}

static void test_kvmclock_across_vcpus_only_when_vouched_for(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *report = probe_vcpus(1);
	assert_state(report, "kvm.clock_cross_vcpu", PROBE_NOT_APPLICABLE, "one vCPU");
	hv_judge(report, &(struct judge_settings){ 0 });
	assert_contains(text_of(report), "  N/A   probe.kvm.clock_cross_vcpu: not applicable: one vCPU:");

	/* vCPU 2's KVM word lacks KVM_FEATURE_CLOCKSOURCE2 (bit 3): not touched */
	sim_reset();
	other_kvm_bit = 1u << 3;
	report = probe_vcpus(3);
	other_kvm_bit = 0;
	assert_state(report, "kvm.clock_cross_vcpu", PROBE_SKIPPED,
		     "vCPU 2 not touched: its KVM leaves differ");
	assert_int_equal(sim.vcpu[1].writes + sim.vcpu[2].writes, 0);

	/* kvmclock broken on the boot vCPU */
	sim_reset();
	sim.zero_multiplier = true;
	report = probe_vcpus(3);
	assert_state(report, "kvm.clock_cross_vcpu", PROBE_SKIPPED, "probe.kvm.clocksource2");

	/* a vCPU whose time page the host never writes */
	sim_reset();
	sim.vcpu[1].ignored = true;
	report = probe_vcpus(2);
	assert_state(report, "kvm.clock_cross_vcpu", PROBE_BROKEN,
		     "the host never wrote vCPU 1's time page");
	assert_as_found(report);
}

/* --- faults, forced MSRs, nothing to probe ----------------------------- */

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
	assert_as_found(report);
}

/* --probe-msr writes with interrupts off, and leaves a counter alone:
 * writing back what was found would move it backwards. */
static void test_forced_writes(void **state)
{
	(void)state;
	sim_reset();
	sim.forced_msr = 0xc0010117;
	struct forced_msr forced = { true, 0xc0010117, true, 1 };
	struct hv_report *report = probe_with(scan_dump_file(KVM_HOST_DUMP), &forced);
	assert_state(report, "forced_msr", PROBE_WORKS, NULL);
	assert_true(sim_wrote(0xc0010117));
	assert_false(sim.forced_write_with_interrupts_on);
	assert_as_found(report);

	sim_reset();
	forced = (struct forced_msr){ true, 0x10, true, 0 };
	report = probe_with(scan_dump_file(KVM_HOST_DUMP), &forced);
	assert_state(report, "forced_msr", PROBE_SKIPPED, "moved from 0x");
	assert_false(sim_wrote(0x10));

	/* writing MSR_KVM_SYSTEM_TIME back would not undo what it did */
	static const uint32_t paravirtual[] = { 0x11, 0x12, 0x4b564d01, 0x40000021 };
	for (size_t i = 0; i < sizeof(paravirtual) / sizeof(paravirtual[0]); i++) {
		sim_reset();
		forced = (struct forced_msr){ true, paravirtual[i], true, PAGE_BASE + 1 };
		report = probe_with(scan_kvm(0, 0), &forced);
		assert_state(report, "forced_msr", PROBE_SKIPPED, "a paravirtual MSR");
		assert_int_equal(sim.write_count, 0);
	}
}

/* A confidential VM (README, "Probes in a confidential VM"): the pages the
 * host writes are private memory there, which hvfeat does not share, so
 * the probes that hand one to the host are skipped and their MSRs never
 * written; the others run, and everything is left as found. The machine
 * says so itself: SEV_STATUS (Linux msr-index.h, MSR_AMD64_SEV 0xc0010131)
 * with SEV, SEV-ES and SNP set (bits 0-2), Hyper-V's isolation leaf. (A TD
 * is the next test's.) */
static void test_a_confidential_vm_keeps_the_host_off_its_pages(void **state)
{
	/* kvm_para.h: MSR_KVM_WALL_CLOCK(_NEW), _SYSTEM_TIME(_NEW),
	 * _ASYNC_PF_EN, _STEAL_TIME, _PV_EOI_EN; the TLFS's
	 * HV_X64_MSR_REFERENCE_TSC */
	static const uint32_t page_msrs[] = { 0x11, 0x12, 0x4b564d00, 0x4b564d01, 0x4b564d02,
					      0x4b564d03, 0x4b564d04, 0x40000021 };
	static const char *const page_probes[] = { "kvm.clocksource2", "kvm.clocksource",
						   "kvm.steal_time", "kvm.async_pf",
						   "kvm.pv_eoi" };
	static const char *const other_probes[] = { "kvm.poll_control", "kvm.async_pf_int",
						    "kvm.hypercall", "kvm.pv_sched_yield" };
	static const struct {
		const char *dump, *type;
		uint64_t sev_status;
	} vms[] = {
		{ "spec-sev-snp-qemu-kvm.txt", "sev-snp", 0x7 },
		{ "spec-sev-qemu-7.2-kvm.txt", "sev", 0x1 },
	};
	char skipped[96];

	(void)state;
	for (size_t v = 0; v < sizeof(vms) / sizeof(vms[0]); v++) {
		sim_reset();
		sim.msrs[sim.msr_count++] =
			(struct sim_msr){ 0xc0010131, vms[v].sev_status, vms[v].sev_status };
		struct hv_report *report = scan_dump_file(vms[v].dump);
		struct probe_machine m = sim_machine();
		cvm_examine(report, &m, NULL, NULL);
		probe_run(report, &m, NULL);
		snprintf(skipped, sizeof(skipped), "private memory in a confidential VM (%s)",
			 vms[v].type);
		for (size_t i = 0; i < sizeof(page_probes) / sizeof(page_probes[0]); i++)
			assert_state(report, page_probes[i], PROBE_SKIPPED, skipped);
		/* kvmclock on every vCPU: before it finds this VM has one */
		assert_state(report, "kvm.clock_cross_vcpu", PROBE_SKIPPED, skipped);
		for (size_t i = 0; i < sizeof(other_probes) / sizeof(other_probes[0]); i++)
			assert_state(report, other_probes[i], PROBE_WORKS, NULL);
		for (size_t i = 0; i < sizeof(page_msrs) / sizeof(page_msrs[0]); i++)
			assert_false(sim_wrote(page_msrs[i]));
		assert_as_found(report);
		hv_judge(report, &(struct judge_settings){ 0 });
		assert_contains(text_of(report), "  SKIP  probe.kvm.clocksource2: skipped: private "
						 "memory in a confidential VM\n");
	}

	/* Azure's SNP isolation, the hardware silent (SEV_STATUS #GP): the
	 * reference TSC page is skipped, the MSR-only Hyper-V probes run. */
	sim_reset();
	struct hv_report *report = scan_dump_file("hyperv-snp.txt");
	struct probe_machine m = sim_machine();
	cvm_examine(report, &m, NULL, NULL);
	probe_run(report, &m, NULL);
	assert_state(report, "hyperv.reference_tsc", PROBE_SKIPPED,
		     "private memory in a confidential VM (hyperv-snp)");
	assert_state(report, "hyperv.vp_index", PROBE_WORKS, NULL);
	assert_state(report, "hyperv.time_ref_count", PROBE_WORKS, NULL);
	assert_false(sim_wrote(0x40000021));

	/* SEV advertised, SEV_STATUS 0: not confidential, every probe runs. */
	sim_reset();
	sim.msrs[sim.msr_count++] = (struct sim_msr){ 0xc0010131, 0, 0 };
	report = scan_dump_file("spec-sev-snp-qemu-kvm.txt");
	m = sim_machine();
	cvm_examine(report, &m, NULL, NULL);
	probe_run(report, &m, NULL);
	for (size_t i = 0; i < sizeof(page_probes) / sizeof(page_probes[0]); i++)
		assert_state(report, page_probes[i], PROBE_WORKS, NULL);
	assert_as_found(report);
}

/* Under SEV-ES and SNP the guard still catches what the host refuses:
 * RDMSR and WRMSR are a #VC, which OVMF turns into a GHCB MSR exit; KVM
 * answers a refused one by asking for #GP (arch/x86/kvm/svm/svm.c,
 * svm_complete_emulated_msr), OVMF's VmgExitErrorCheck returns that event
 * and its exception dispatch (UefiCpuPkg CpuExceptionHandlerLib,
 * CommonExceptionHandlerWorker) hands the #GP to the handler registered
 * for it: hvfeat's. So the MSR probes and --probe-msr run there, and a
 * refusal is reported, as the simulated machine's #GP is. */
static void test_under_snp_a_refused_msr_is_a_caught_gp(void **state)
{
	struct forced_msr forced = { true, 0x4b564dff, false, 0 };

	(void)state;
	sim_reset();
	sim.msrs[sim.msr_count++] = (struct sim_msr){ 0xc0010131, 0x7, 0x7 };
	sim.faulting_msr = 0x4b564d06; /* MSR_KVM_ASYNC_PF_INT refused */
	struct hv_report *report = scan_dump_file("spec-sev-snp-qemu-kvm.txt");
	struct probe_machine m = sim_machine();
	cvm_examine(report, &m, NULL, NULL);
	probe_run(report, &m, &forced);
	assert_state(report, "kvm.async_pf_int", PROBE_BROKEN, "#GP on MSR 0x4b564d06");
	assert_state(report, "forced_msr", PROBE_BROKEN, "#GP on MSR 0x4b564dff (read)");
	assert_state(report, "kvm.poll_control", PROBE_WORKS, NULL);
	assert_as_found(report);
}

/* KVM_HC_SCHED_YIELD names the vCPU to yield to by APIC ID in RBX
 * (Documentation/virt/kvm/x86/hypercalls.rst); the probe names its own,
 * CPUID.1:EBX[31:24]. Under SEV-ES and SNP the host is given RAX alone
 * and reads the ID as 0: the probe says so and reports 0, what KVM saw. */
static void test_sched_yield_under_sev_es(void **state)
{
	/* APIC ID 3; 0x8000001F as QEMU fills it for an SNP guest (EAX 0x1a,
	 * EBX C-bit 51); KVM_FEATURE_PV_SCHED_YIELD is bit 13 (kvm_para.h) */
	static const struct cpuid_record records[] = {
		LEAF(0, 0x10, VENDOR_AMD),
		LEAF(1, 0x00a00f11, 0x03000800, HYPERVISOR_BIT, 0),
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, 1u << 13, 0, 0, 0),
		LEAF(0x80000000, 0x8000001f, 0, 0, 0),
		LEAF(0x8000001f, 0x1a, 0x73, 0, 0),
	};
	static const struct {
		uint64_t sev_status;
		uint64_t apic_id;
		const char *remark;
	} cases[] = {
		{ 0x1, 3, NULL },                    /* SEV: registers in the clear */
		{ 0x3, 0, "(sev-es): the host is given RAX alone" },
		{ 0x7, 0, "(sev-snp): the host is given RAX alone" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sim_reset();
		sim.yield_target = 99;
		sim.msrs[sim.msr_count++] =
			(struct sim_msr){ 0xc0010131, cases[i].sev_status, cases[i].sev_status };
		struct hv_report *report = SCAN(records);
		struct probe_machine m = sim_machine();
		cvm_examine(report, &m, NULL, NULL);
		probe_run(report, &m, NULL);
		assert_state(report, "kvm.pv_sched_yield", PROBE_WORKS, cases[i].remark);
		assert_int_equal(value_of(report, "kvm.pv_sched_yield", "apic_id"), cases[i].apic_id);
		assert_int_equal(sim.yield_target, cases[i].apic_id);
		if (!cases[i].remark)
			assert_string_equal(result_of(report, "kvm.pv_sched_yield")->detail, "");
	}
}

/* In a TD no MSR access or hypercall reaches hvfeat's guard: the TDX
 * module makes them a #VE, OVMF's handler forwards them to the host and
 * halts the TD when the host refuses an MSR (KVM refuses every paravirtual
 * one but MSR_KVM_POLL_CONTROL: the simulated machine ends the test
 * there), and takes VMCALL for a no-op, so a hypercall would read its own
 * number back and be called broken. Every probe that touches an MSR or
 * makes a hypercall is skipped, --probe-msr too; the timing leaf, which
 * reads only the TSC and the PM timer, runs. */
static void test_a_td_keeps_off_msrs_and_hypercalls(void **state)
{
	/* Linux tdx_early_init: "IntelTDX    " in EBX, EDX, ECX of leaf 0x21;
	 * KVM's features of the recorded TD and a timing leaf at 2 GHz */
	static const struct cpuid_record td[] = {
		LEAF(0, 0x21, VENDOR_INTEL),
		LEAF(1, 0x000806f4, 0x00000800, HYPERVISOR_BIT, 0),
		LEAF(0x21, 0, 0x65746e49, 0x20202020, 0x5844546c),
		LEAF(0x40000000, 0x40000010, SIG_KVM),
		LEAF(0x40000001, 0x01007afb, 0, 0, 0),
		LEAF(0x40000010, 2000000, 1000000, 0, 0),
	};
	static const char *const skipped[] = {
		"kvm.clocksource2", "kvm.clocksource", "kvm.clock_cross_vcpu", "kvm.steal_time",
		"kvm.async_pf", "kvm.pv_eoi", "kvm.poll_control", "kvm.async_pf_int",
		"kvm.hypercall", "kvm.pv_sched_yield", "forced_msr",
	};
	struct forced_msr forced = { true, 0x4b564dff, true, 1 };

	(void)state;
	sim_reset();
	sim.intel = sim.td = true;
	struct hv_report *report = SCAN(td);
	struct probe_machine m = sim_machine();
	cvm_examine(report, &m, NULL, NULL);
	probe_run(report, &m, &forced);
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		assert_state(report, skipped[i], PROBE_SKIPPED,
			     "in a TD (tdx) an MSR access or a hypercall may");
	assert_state(report, "kvm.tsc_khz", PROBE_WORKS, NULL);
	assert_int_equal(sim.write_count, 0);
	assert_int_equal(report->probes.restore_count, 0);
	hv_judge(report, &(struct judge_settings){ 0 });
	assert_contains(text_of(report), "  SKIP  probe.kvm.hypercall: skipped: in a TD (tdx) an "
					 "MSR access or a\n        hypercall may go to the firmware's "
					 "#VE handler, not to hvfeat's guard:\n        OVMF's halts "
					 "the TD when the host refuses one\n");

	/* The recorded TD, its dump as the README names it */
	sim_reset();
	sim.intel = sim.td = true;
	report = scan_dump_file("spec-tdx-qemu-kvm.txt");
	m = sim_machine();
	cvm_examine(report, &m, NULL, NULL);
	probe_run(report, &m, NULL);
	assert_state(report, "kvm.async_pf_int", PROBE_SKIPPED, "OVMF's halts the TD");
	assert_state(report, "kvm.pv_sched_yield", PROBE_SKIPPED, "OVMF's halts the TD");
	assert_int_equal(sim.write_count, 0);

	/* Azure's TDX isolation, 0x21 hidden behind the paravisor: who takes
	 * the guest's MSR accesses there cannot be told, so it is kept off
	 * them as in any TD (the simulated machine still halts on one). */
	sim_reset();
	sim.intel = sim.td = true;
	report = scan_dump_file("spec-hyperv-tdx-azure.txt");
	m = sim_machine();
	cvm_examine(report, &m, NULL, NULL);
	probe_run(report, &m, NULL);
	assert_state(report, "hyperv.vp_index", PROBE_SKIPPED, "in a TD (hyperv-tdx)");
	assert_state(report, "hyperv.time_ref_count", PROBE_SKIPPED, "in a TD (hyperv-tdx)");
	assert_state(report, "hyperv.reference_tsc", PROBE_SKIPPED, "in a TD (hyperv-tdx)");
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
	struct hv_report *report = probe_with(SCAN(tcg), NULL);
	/* x86's probes; AArch64's are not in an x86 run's list */
	assert_int_equal(report->probes.count, 14);
	for (size_t i = 0; i < report->probes.count; i++)
		assert_int_equal(report->probes.results[i].state, PROBE_NOT_ADVERTISED);
	assert_int_equal(sim.write_count, 0);
	buffer_sink_init(&errors, NULL, 0);
	assert_true(requirements_add(&list, required, strlen(required), "--require",
				     &errors.sink));
	assert_true(requirements_need_probes(&list));
	hv_check(report, &list);
	hv_judge(report, &(struct judge_settings){ 0 });
	assert_false(report->checks[0].passed);
	assert_true(report->checks[1].passed);
	assert_contains(text_of(report), "FAIL  require.probe.kvm.clocksource2:"
					 " probe.kvm.clocksource2 = 1: not\n"
					 "        advertised");

	probe_not_run(report, NOT_READ_FROM_RECORDING);
	hv_check(report, &list);
	assert_false(report->checks[1].passed);
	assert_contains(text_of(report), "probes (--probe): not run: CPUID came from a recording, not");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pvclock_scales_as_linux_does),
		cmocka_unit_test(test_reference_tsc_page_time),
		cmocka_unit_test(test_deviation_in_ppm),
		cmocka_unit_test(test_epoch_seconds_agree_with_timegm),
		cmocka_unit_test(test_time_zone_offsets_are_quarter_hours),
		cmocka_unit_test(test_an_rtc_that_names_its_zone_is_taken_at_its_word),
		cmocka_unit_test(test_pm_timer_from_the_fadt),
		cmocka_unit_test(test_kvm_host_probes),
		cmocka_unit_test(test_wall_clock_msrs_are_put_back),
		cmocka_unit_test(test_the_legacy_probe_leaves_the_master_clock_on),
		cmocka_unit_test(test_legacy_kvmclock_without_clocksource2_is_not_touched),
		cmocka_unit_test(test_a_registration_that_sticks_keeps_the_pages),
		cmocka_unit_test(test_handlers_left_registered_are_reported),
		cmocka_unit_test(test_clocks_off_by_a_little_or_a_lot),
		cmocka_unit_test(test_a_noisy_pm_timer_lengthens_the_interval),
		cmocka_unit_test(test_stalls_are_left_out_of_the_brackets),
		cmocka_unit_test(test_a_fast_tsc_and_a_negative_shift),
		cmocka_unit_test(test_the_timing_leaf_against_the_tsc),
		cmocka_unit_test(test_no_pm_timer_or_a_stopped_one_skips_the_timing),
		cmocka_unit_test(test_kvmclock_going_back),
		cmocka_unit_test(test_a_rewrite_that_steps_kvmclock),
		cmocka_unit_test(test_an_update_in_progress_is_waited_out),
		cmocka_unit_test(test_the_stable_flag_against_the_bit),
		cmocka_unit_test(test_wall_clock_against_the_rtc),
		cmocka_unit_test(test_wall_clock_against_an_rtc_that_names_its_zone),
		cmocka_unit_test(test_structures_never_written),
		cmocka_unit_test(test_a_vp_index_past_the_maximum),
		cmocka_unit_test(test_steal_time_going_backwards),
		cmocka_unit_test(test_registrations_are_read_back),
		cmocka_unit_test(test_async_pf_registers_an_area_without_delivery),
		cmocka_unit_test(test_pv_eoi_is_watched_in_use),
		cmocka_unit_test(test_hyperv_probes),
		cmocka_unit_test(test_the_tsc_page_valid_invalid_or_never_written),
		cmocka_unit_test(test_a_tsc_page_update_under_the_reader),
		cmocka_unit_test(test_kvmclock_on_every_vcpu),
		cmocka_unit_test(test_warps_with_and_without_the_stable_bit),
		cmocka_unit_test(test_a_vcpu_that_times_out_or_never_starts),
		cmocka_unit_test(test_kvmclock_across_vcpus_only_when_vouched_for),
		cmocka_unit_test(test_faults_are_reported_not_taken),
		cmocka_unit_test(test_forced_writes),
		cmocka_unit_test(test_a_confidential_vm_keeps_the_host_off_its_pages),
		cmocka_unit_test(test_under_snp_a_refused_msr_is_a_caught_gp),
		cmocka_unit_test(test_sched_yield_under_sev_es),
		cmocka_unit_test(test_a_td_keeps_off_msrs_and_hypercalls),
		cmocka_unit_test(test_no_kvm_nothing_probed_and_requirements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
