/* libFuzzer: the confidential-computing status from hostile inputs: the
 * CPUID leaves it reads, SEV_STATUS and TDCALL (their values and faults),
 * and the firmware's bytes (the CC measurement capability, the SNP blob
 * and the CPUID page it points at), all from the input.
 *
 * Input (little-endian words; past the end everything reads as zero):
 *   0 CPUID(0).EAX; 4 bit 0: Intel (else AMD), bit 1: Hyper-V (else KVM)
 *   8-23 leaf 0x21 EAX-EDX; 24 0x40000003 EBX; 28, 32 0x4000000C EAX, EBX
 *   36 0x80000000 EAX; 40-55 0x8000001F EAX-EDX
 *   56 bit 0: SEV_STATUS faults; 57 its value (8 bytes)
 *   65 bit 0: TDCALL faults; 66 its status, 74 RCX..R11 (6 x 8 bytes)
 *   122 bit 0: the CC protocol, bit 1: the SNP blob, bit 2: its CPUID page
 *   123 GetCapability's status (8); 131 the capability (20); 151 the blob
 *   (40); 191 on: the CPUID page, as many bytes as are left (at most the
 *   table's 3088).
 *
 * Must hold: the examination and the probes return; when the status says
 * the memory is private, no probe wrote an MSR that hands a page to the
 * host; in a TD no probe read or wrote an MSR or made a hypercall (a
 * refused one would halt the TD); every cvm fact has a value or a reason; and the report renders
 * whole within the width, as JSON a parser accepts, and as TAP and JUnit
 * whole in printable ASCII. */
#include <stdint.h>
#include <string.h>

#include "facts.h"
#include "fuzz_invariants.h"
#include "probe.h"

static struct {
	const uint8_t *data;
	size_t size;
	bool page_msr_written;
	bool probing;        /* probe_run is running */
	bool probe_exited;   /* it read or wrote an MSR or made a hypercall */
	uint8_t pages[2][4096];
} input;

static uint64_t bytes_at(size_t offset, size_t count)
{
	uint64_t value = 0;

	for (size_t i = 0; i < count && offset + i < input.size; i++)
		value |= (uint64_t)input.data[offset + i] << (8 * i);
	return value;
}

static uint32_t word(size_t offset)
{
	return (uint32_t)bytes_at(offset, 4);
}

static void query(const struct cpuid_source *self, uint32_t leaf, uint32_t subleaf,
		  struct cpuid_regs *out)
{
	bool intel = word(4) & 1, hyperv = word(4) & 2;

	(void)self;
	(void)subleaf;
	*out = (struct cpuid_regs){ 0 };
	switch (leaf) {
	case 0:
		*out = intel ? (struct cpuid_regs){ word(0), 0x756e6547, 0x6c65746e, 0x49656e69 }
			     : (struct cpuid_regs){ word(0), 0x68747541, 0x444d4163, 0x69746e65 };
		break;
	case 1:
		out->ecx = 0x80000000u;
		break;
	case 0x21:
		*out = (struct cpuid_regs){ word(8), word(12), word(16), word(20) };
		break;
	case 0x40000000:
		*out = hyperv ? (struct cpuid_regs){ 0x4000000c, 0x7263694d, 0x666f736f, 0x76482074 }
			      : (struct cpuid_regs){ 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d };
		break;
	case 0x40000001: /* Hyper-V's "Hv#1"; KVM's every page feature */
		out->eax = hyperv ? 0x31237648 : 0x01007afb;
		break;
	case 0x40000003:
		*out = (struct cpuid_regs){ 0x0000ae7f, word(24), 0, 0 };
		break;
	case 0x4000000c:
		*out = (struct cpuid_regs){ word(28), word(32), 0, 0 };
		break;
	case 0x80000000:
		out->eax = word(36);
		break;
	case 0x8000001f:
		*out = (struct cpuid_regs){ word(40), word(44), word(48), word(52) };
		break;
	}
}

/* kvm_para.h and the TLFS: the MSRs that register a page the host writes. */
static bool page_msr(uint32_t msr)
{
	return msr == 0x11 || msr == 0x12 || (msr >= 0x4b564d00 && msr <= 0x4b564d04) ||
	       msr == 0x40000021;
}

static bool read_msr(void *context, uint32_t msr, uint64_t *value, uint8_t *vector)
{
	(void)context;
	input.probe_exited |= input.probing;
	if (msr == 0xc0010131 && (bytes_at(56, 1) & 1)) {
		*vector = 13;
		return false;
	}
	*value = msr == 0xc0010131 ? bytes_at(57, 8) : 0;
	return true;
}

static bool write_msr(void *context, uint32_t msr, uint64_t value, uint8_t *vector)
{
	(void)context;
	(void)value;
	(void)vector;
	input.probe_exited |= input.probing;
	input.page_msr_written |= page_msr(msr);
	return true;
}

static bool tdcall(void *context, uint64_t leaf, const uint64_t in[3], uint64_t *status,
		   uint64_t out[6], uint8_t *vector)
{
	(void)context;
	(void)leaf;
	(void)in;
	if (bytes_at(65, 1) & 1) {
		*vector = 6;
		return false;
	}
	*status = bytes_at(66, 8);
	for (size_t i = 0; i < 6; i++)
		out[i] = bytes_at(74 + 8 * i, 8);
	return true;
}

static uint64_t read_tsc(void *context)
{
	(void)context;
	return 0;
}

static bool hypercall(void *context, bool vmmcall, uint64_t nr, const uint64_t a[4],
		      uint64_t *ret, uint8_t *vector)
{
	(void)context;
	(void)vmmcall;
	(void)nr;
	(void)a;
	(void)vector;
	input.probe_exited |= input.probing;
	*ret = 0;
	return true;
}

static bool rtc(void *context, int64_t *seconds, int16_t *zone_minutes)
{
	(void)context;
	(void)seconds;
	(void)zone_minutes;
	return false;
}

static void interrupts(void *context)
{
	(void)context;
}

static void firmware_from_input(struct cvm_firmware *firmware)
{
	uint8_t flags = (uint8_t)bytes_at(122, 1);

	memset(firmware, 0, sizeof(*firmware));
	firmware->cc_protocol_found = flags & 1;
	firmware->cc_capability_status = bytes_at(123, 8);
	for (size_t i = 0; i < CC_CAPABILITY_BYTES; i++)
		firmware->cc_capability[i] = (uint8_t)bytes_at(131 + i, 1);
	firmware->snp_blob_found = flags & 2;
	for (size_t i = 0; i < SNP_BLOB_BYTES; i++)
		firmware->snp_blob[i] = (uint8_t)bytes_at(151 + i, 1);
	if (!(flags & 4) || input.size <= 191) {
		firmware->snp_cpuid_unread = "fuzzed: no page";
		return;
	}
	size_t length = input.size - 191;
	firmware->snp_cpuid_length = length < SNP_CPUID_TABLE_BYTES ? length : SNP_CPUID_TABLE_BYTES;
	memcpy(firmware->snp_cpuid_page, input.data + 191, firmware->snp_cpuid_length);
}

static NOT_COVERED void check_facts(const struct hv_report *report)
{
	static const char *const keys[] = {
		"cvm.type", "cvm.sev.status", "cvm.sev.snp", "cvm.sev.c_bit",
		"cvm.sev.phys_addr_reduction", "cvm.snp.vmpls", "cvm.tdx.gpaw",
		"cvm.tdx.attributes", "cvm.tdx.debug", "cvm.tdx.sept_ve_disable",
		"cvm.tdx.num_vcpus", "cvm.tdx.max_vcpus", "cvm.hyperv.isolation_type",
		"cvm.hyperv.paravisor", "cvm.uefi.cc_type",
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct fact_ref ref;
		struct fact_value value;
		if (!fact_resolve(keys[i], &ref))
			abort();
		const char *why = fact_value(report, &ref, &value);
		if (!why && ((value.type == FACT_TEXT && !value.text) ||
			     (value.type == FACT_NUMBER && value.number > ref.def->largest)))
			abort();
		if (why && !*why)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hv_report report;
	static struct cvm_firmware firmware;
	struct cpuid_source source = { query, NULL, "fuzz", "hostile confidential VM" };

	memset(&input, 0, sizeof(input));
	input.data = data;
	input.size = size;
	hv_scan(&report, &source);
	firmware_from_input(&firmware);
	struct probe_machine machine = {
		.read_msr = read_msr, .write_msr = write_msr, .read_tsc = read_tsc,
		.hypercall = hypercall, .tdcall = tdcall, .rtc = rtc,
		.interrupts_off = interrupts, .interrupts_restore = interrupts,
		.pages = { input.pages[0], input.pages[1] },
		.page_addresses = { 0x100000, 0x101000 },
	};
	cvm_examine(&report, &machine, NULL, &firmware);
	input.probing = true;
	probe_run(&report, &machine, NULL);
	input.probing = false;
	if (cvm_private_memory(&report) && input.page_msr_written)
		abort();
	/* By the type, not by cvm_td_exits(), whose answer this checks. */
	bool td = report.cvm.type == CVM_TYPE_TDX || report.cvm.type == CVM_TYPE_HYPERV_TDX;
	if (td && input.probe_exited)
		abort();
	check_facts(&report);

	hv_judge(&report, &(struct judge_settings){ 0 });
	static const enum output_format formats[] = { OUTPUT_TEXT, OUTPUT_JSON, OUTPUT_TAP,
						      OUTPUT_JUNIT };
	render_and_check(&report, formats, sizeof(formats) / sizeof(formats[0]));
	return 0;
}
