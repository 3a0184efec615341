/* libFuzzer: the probes against a hostile hypervisor. CPUID offers Hyper-V
 * at 0x40000000 and KVM at 0x40000100 with feature words from the input;
 * every answer of the machine after that (MSR values and faults, TSC, PM
 * timer, hypercall results, the RTC) comes from the input too, and the
 * "host" may scribble over the probes' pages at any call.
 *
 * Input: bytes 0-3 KVM's 0x40000101 EAX, 4-7 Hyper-V's 0x40000003 EAX,
 * 8-11 the timing leaf's TSC kHz, then one control byte a call (bit 0:
 * fault, bit 1: scribble 16 bytes at an offset the next byte picks) and
 * the call's value. Past the end everything reads as zero. Bits 29-30 of
 * KVM's word (undefined upstream) add up to three vCPUs, whose steps run
 * in turn, each for STEPS_MAX at most (then it "timed out"); bit 31 keeps
 * the last one from starting.
 *
 * Must hold: probe_run returns (libFuzzer's timeout catches a loop), every
 * MSR a probe wrote, on every vCPU, had its found value written last, or
 * the report says it could not be and keeps the pages, the forced write
 * ran with interrupts off and they were back on at the end, and the report
 * renders whole within the width, as JSON a parser accepts, and, judged,
 * as TAP and JUnit whole in printable ASCII. */
#include <stdint.h>
#include <string.h>

#include "fuzz_invariants.h"
#include "probe.h"
#include "vcpus.h"

#define FORCED_MSR 0xc0010117u
#define VCPUS_MAX 4u
#define STEPS_MAX 3000u

static struct {
	const uint8_t *data;
	size_t size, at;
	uint8_t pages[2][4096];
	struct {
		uint32_t msr;
		uint64_t value;
	} written[64];
	size_t written_count;
	bool interrupts_off, forced_write_with_interrupts_on;
	size_t vcpus, current;
	bool last_not_started;
	struct {
		bool written;
		uint64_t value; /* the last written to MSR_KVM_SYSTEM_TIME_NEW */
	} vcpu[VCPUS_MAX];
} host;

static uint64_t take(size_t bytes)
{
	uint64_t value = 0;

	for (size_t i = 0; i < bytes; i++, host.at++)
		if (host.at < host.size)
			value |= (uint64_t)host.data[host.at] << (8 * i);
	return value;
}

static uint32_t word(size_t offset)
{
	uint32_t value = 0;

	for (size_t i = 0; i < 4 && offset + i < host.size; i++)
		value |= (uint32_t)host.data[offset + i] << (8 * i);
	return value;
}

/* The control byte of a call: whether it faults; maybe a scribble. */
static bool call_faults(void)
{
	uint8_t control = (uint8_t)take(1);

	if (control & 2) {
		size_t page = take(1) & 1, offset = (size_t)(take(1) & 0xff) * 16;
		for (size_t i = 0; i < 16; i++)
			host.pages[page][offset + i] = (uint8_t)take(1);
	}
	return control & 1;
}

static bool read_msr(void *context, uint32_t msr, uint64_t *value, uint8_t *vector)
{
	(void)context;
	(void)msr;
	if (call_faults()) {
		*vector = 13;
		return false;
	}
	*value = take(8);
	return true;
}

static bool write_msr(void *context, uint32_t msr, uint64_t value, uint8_t *vector)
{
	(void)context;
	if (call_faults()) {
		*vector = 13;
		return false;
	}
	size_t i = 0;
	while (i < host.written_count && host.written[i].msr != msr)
		i++;
	if (i == host.written_count) {
		if (host.written_count == sizeof(host.written) / sizeof(host.written[0]))
			abort();
		host.written_count++;
	}
	host.written[i].msr = msr;
	host.written[i].value = value;
	host.forced_write_with_interrupts_on |= msr == FORCED_MSR && !host.interrupts_off;
	return true;
}

/* The other vCPUs' MSR (vCPU 0's is the guarded one's) */
static uint64_t any_vcpu_read_msr(uint32_t msr)
{
	uint64_t value;
	uint8_t vector;

	if (!host.current)
		return read_msr(NULL, msr, &value, &vector) ? value : 0;
	call_faults();
	return take(8);
}

static void any_vcpu_write_msr(uint32_t msr, uint64_t value)
{
	uint8_t vector;

	if (!host.current) {
		write_msr(NULL, msr, value, &vector);
		return;
	}
	call_faults();
	host.vcpu[host.current].written = true;
	host.vcpu[host.current].value = value;
}

static void every_vcpu(void *context, vcpu_step step, void *argument, uint32_t timeout_us,
		       bool *started, bool *finished)
{
	bool running[VCPUS_MAX];

	(void)context;
	(void)timeout_us;
	for (size_t i = 0; i < host.vcpus; i++) {
		started[i] = running[i] = !(host.last_not_started && i && i == host.vcpus - 1);
		finished[i] = false;
	}
	for (unsigned round = 0; round < STEPS_MAX; round++)
		for (size_t i = 0; i < host.vcpus; i++) {
			if (!running[i])
				continue;
			host.current = i;
			running[i] = step(argument, i);
			finished[i] = !running[i];
		}
	host.current = 0;
}

/* Every vCPU answers CPUID as the boot one: the probe across vCPUs runs. */
static void same_describe(const struct vcpu_source *self, size_t index,
			  struct vcpu_identity *out)
{
	(void)self;
	*out = (struct vcpu_identity){ .number = (uint32_t)index, .boot = !index,
				       .enabled = true, .healthy = true };
}

static enum vcpu_state same_read(const struct vcpu_source *self, size_t index,
				 struct cpuid_record *records, size_t count)
{
	const struct cpuid_source *cpuid = self->context;

	(void)index;
	for (size_t i = 0; i < count; i++)
		cpuid->query(cpuid, records[i].leaf, records[i].subleaf, &records[i].regs);
	return VCPU_COMPARED;
}

static uint64_t read_tsc(void *context)
{
	(void)context;
	call_faults();
	return take(8);
}

static uint32_t read_pm_timer(void *context)
{
	(void)context;
	call_faults();
	return (uint32_t)take(4);
}

static bool hypercall(void *context, bool vmmcall, uint64_t nr, const uint64_t a[4],
		      uint64_t *ret, uint8_t *vector)
{
	(void)context;
	(void)vmmcall;
	(void)nr;
	(void)a;
	if (call_faults()) {
		*vector = 6;
		return false;
	}
	*ret = take(8);
	return true;
}

static bool rtc(void *context, int64_t *seconds, int16_t *zone_minutes)
{
	(void)context;
	if (call_faults())
		return false;
	*seconds = (int64_t)take(8);
	*zone_minutes = (int16_t)take(2);
	return true;
}

static void interrupts_off(void *context)
{
	(void)context;
	if (host.interrupts_off)
		abort();
	host.interrupts_off = true;
}

static void interrupts_restore(void *context)
{
	(void)context;
	if (!host.interrupts_off)
		abort();
	host.interrupts_off = false;
}

/* What the handler saw, and the host's use of the PV EOI word, from the
 * input: bit 3 the APIC enabled, bit 0 handled, bit 1 the host set the
 * flag, bit 2 the EOI left. */
static void self_interrupt(void *context, volatile uint32_t *pv_eoi,
			   struct interrupt_seen *seen)
{
	(void)context;
	call_faults();
	uint8_t what = (uint8_t)take(1);
	*seen = (struct interrupt_seen){ .apic_enabled = what & 8, .sent = what & 8,
					 .handled = (what & 9) == 9 };
	if (seen->handled && (what & 2))
		*pv_eoi |= 1u;
	if (seen->handled && (*pv_eoi & 1u)) {
		*pv_eoi &= ~1u;
		seen->pv_eoi_flag = true;
		seen->still_in_service = what & 4;
	}
}

static void query(const struct cpuid_source *self, uint32_t leaf, uint32_t subleaf,
		  struct cpuid_regs *out)
{
	(void)self;
	(void)subleaf;
	*out = (struct cpuid_regs){ 0 };
	switch (leaf) {
	case 0: /* AuthenticAMD */
		*out = (struct cpuid_regs){ 1, 0x68747541, 0x444d4163, 0x69746e65 };
		break;
	case 1:
		out->ecx = 0x80000000u;
		break;
	case 0x40000000: /* "Microsoft Hv" */
		*out = (struct cpuid_regs){ 0x40000005, 0x7263694d, 0x666f736f, 0x76482074 };
		break;
	case 0x40000001:
		out->eax = 0x31237648; /* "Hv#1" */
		break;
	case 0x40000003:
		out->eax = word(4);
		break;
	case 0x40000005:
		out->eax = 4;
		break;
	case 0x40000100: /* "KVMKVMKVM" */
		*out = (struct cpuid_regs){ 0x40000110, 0x4b4d564b, 0x564b4d56, 0x0000004d };
		break;
	case 0x40000101:
		out->eax = word(0);
		break;
	case 0x40000110:
		out->eax = word(8);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hv_report report;
	static char rendered[512 * 1024];
	struct cpuid_source source = { query, NULL, "fuzz", "hostile probes" };

	memset(&host, 0, sizeof(host));
	host.data = data;
	host.size = size;
	host.at = 12;
	hv_scan(&report, &source);
	host.vcpus = 1 + ((word(0) >> 29) & 3);
	host.last_not_started = word(0) >> 31;
	struct vcpu_source vcpus = { .context = &source, .method = "fuzz", .present = host.vcpus,
				     .enabled = host.vcpus, .describe = same_describe,
				     .read = same_read };
	vcpus_read(&report, &vcpus);

	struct probe_machine machine = {
		.read_msr = read_msr, .write_msr = write_msr, .read_tsc = read_tsc,
		.read_pm_timer = read_pm_timer,
		.pm_timer_mask = size && (data[0] & 0x80) ? 0xffffffffu : 0xffffffu,
		.hypercall = hypercall, .rtc = rtc, .interrupts_off = interrupts_off,
		.interrupts_restore = interrupts_restore,
		.self_interrupt = size > 2 && (data[2] & 0x80) ? self_interrupt : NULL,
		.pages = { host.pages[0], host.pages[1] },
		.page_addresses = { 0x100000, 0x101000 },
		.vcpu_count = host.vcpus, .vcpu_numbers = { 0, 1, 2, 3 },
		.every_vcpu = host.vcpus > 1 ? every_vcpu : NULL,
		.any_vcpu_read_msr = any_vcpu_read_msr, .any_vcpu_write_msr = any_vcpu_write_msr,
	};
	struct forced_msr forced = { size > 1 && (data[1] & 0x80), FORCED_MSR, true, 1 };
	probe_run(&report, &machine, &forced);
	if (host.interrupts_off || host.forced_write_with_interrupts_on)
		abort();

	/* The last write to every MSR a probe wrote put back what it found. */
	const struct probe_report *probes = &report.probes;
	for (size_t i = 0; i < host.written_count; i++) {
		uint32_t msr = host.written[i].msr;
		bool restored = false, said_not = false;
		for (size_t r = 0; r < probes->restore_count; r++) {
			const struct msr_restore *entry = &probes->restores[r];
			restored = restored || (entry->msr == msr &&
						entry->found == host.written[i].value);
			said_not = said_not || (entry->msr == msr && !entry->restored);
		}
		/* A restore the host refused is reported, and the pages kept. */
		if (!restored && !(said_not && probes->pages_in_use))
			abort();
	}
	/* And on every other vCPU, its own entry. */
	for (size_t v = 1; v < host.vcpus; v++) {
		const struct msr_restore *entry = NULL;
		for (size_t r = 0; r < probes->restore_count; r++)
			if (probes->restores[r].other_vcpu && probes->restores[r].vcpu == v)
				entry = &probes->restores[r];
		if (!host.vcpu[v].written)
			continue;
		if (!entry || (entry->found != host.vcpu[v].value &&
			       !(!entry->restored && probes->pages_in_use)))
			abort();
		if (entry->restored && entry->found != host.vcpu[v].value)
			abort();
	}

	/* Judged, a broken probe fails the verdict (check_json holds it). */
	hv_judge(&report, &(struct judge_settings){ 0 });
	struct buffer_sink sink;
	buffer_sink_init(&sink, rendered, sizeof(rendered));
	render_text(&report, &sink.sink);
	if (sink.length >= sizeof(rendered))
		abort();
	check_text(rendered, sink.length);
	buffer_sink_init(&sink, rendered, sizeof(rendered));
	render_json(&report, &sink.sink);
	check_json(rendered, sink.length, &report);

	/* The judged results, their details measured from hostile values, in
	 * the CI formats. */
	buffer_sink_init(&sink, rendered, sizeof(rendered));
	render_tap(&report, &sink.sink);
	if (sink.length >= sizeof(rendered))
		abort();
	check_ci_format(rendered, sink.length, "TAP version 13\n", "# verdict: ");
	buffer_sink_init(&sink, rendered, sizeof(rendered));
	render_junit(&report, &sink.sink);
	if (sink.length >= sizeof(rendered))
		abort();
	check_ci_format(rendered, sink.length, "<?xml version=\"1.0\" ", "</testsuites>\n");
	return 0;
}
