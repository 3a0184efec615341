/* The AArch64 side of the firmware shell (efi/arch.h): the hypervisor
 * asked through SMCCC over the conduit the firmware names, the CPU it
 * presents read from the ID registers, and the exit status in
 * \hvfeat.status, since QEMU's virt machine has no isa-debug-exit. */
#include <efi.h>
#include <efilib.h>

#include "arch.h"
#include "cvm_firmware.h"
#include "esp_files.h"
#include "fdt.h"
#include "firmware_clock.h"
#include "firmware_tables.h"
#include "probe_smccc.h"
#include "smccc_machine.h"

static void ask_hypervisor(struct hv_report *report)
{
	static char origin[SMCCC_ORIGIN_MAX];
	struct buffer_sink text;
	struct smccc_source source;
	enum smccc_conduit conduit = SMCCC_CONDUIT_NONE;

	/* As Linux finds PSCI: the FADT's boot flags on an ACPI platform,
	 * else the device tree's /psci node. */
	string_sink_init(&text, origin, sizeof(origin));
	if (report->fadt.has_arm_boot_flags) {
		conduit = smccc_conduit_from_arm_boot_flags(report->fadt.arm_boot_flags);
		sink_printf(&text.sink, "ACPI FADT ARM boot flags 0x%04x",
			    report->fadt.arm_boot_flags);
	} else {
		char method[8];
		const char *why_not = fdt_psci_method(firmware_device_tree(), method,
						      sizeof(method));
		if (why_not) {
			sink_printf(&text.sink, "no FADT ARM boot flags; %s", why_not);
		} else {
			conduit = smccc_conduit_from_psci_method(method);
			sink_puts(&text.sink, "device tree /psci method \"");
			sink_escaped(&text.sink, method, text_length(method));
			sink_puts(&text.sink, "\"");
		}
	}
	string_sink_finish(&text);
	const char *unguarded = conduit == SMCCC_CONDUIT_NONE ? NULL : smccc_guard_open();
	if (unguarded)
		conduit = SMCCC_CONDUIT_NONE;
	smccc_source_guarded(&source, conduit, unguarded ? unguarded : origin);
	smccc_scan(&report->smccc, &source);
	if (!unguarded && conduit != SMCCC_CONDUIT_NONE)
		report->smccc.handlers_left = smccc_guard_close();
}

/* Each lies in the ID register space (op0 3, op1 0, CRn 0) that every
 * Armv8.0 CPU answers at EL1 and EL2, a field of a feature it lacks
 * reading as zero; under KVM an ID_AA64* read traps to EL2
 * (HCR_EL2.TID3) and KVM answers with the value it lets the guest see,
 * and MIDR_EL1 reads VPIDR_EL2 without a trap. */
static void read_id_registers(struct arm_id_report *id)
{
	UINT64 *v = id->values;

	__asm__ volatile("mrs %0, midr_el1" : "=r"(v[ARM_MIDR_EL1]));
	__asm__ volatile("mrs %0, id_aa64pfr0_el1" : "=r"(v[ARM_ID_AA64PFR0_EL1]));
	__asm__ volatile("mrs %0, id_aa64pfr1_el1" : "=r"(v[ARM_ID_AA64PFR1_EL1]));
	__asm__ volatile("mrs %0, id_aa64dfr0_el1" : "=r"(v[ARM_ID_AA64DFR0_EL1]));
	__asm__ volatile("mrs %0, id_aa64isar1_el1" : "=r"(v[ARM_ID_AA64ISAR1_EL1]));
	id->read = true;
}

/* --- the probes' machine ------------------------------------------------ */

static void probe_call(void *context, struct smccc_call *call)
{
	const struct smccc_report *smccc = context;

	smccc_guarded_call(smccc->conduit, call);
}

/* Arm ARM D11.2: an ISB first, so the read is not taken early. */
static uint64_t counter(void *context)
{
	UINT64 value;

	(void)context;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(value) : : "memory");
	return value;
}

static uint64_t counter_frequency(void)
{
	UINT64 value;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(value));
	return value;
}

/* Firmware memory is identity-mapped (UEFI 2.11, 2.3.6.1). */
static uint64_t load64(void *context, uint64_t address)
{
	(void)context;
	return *(volatile UINT64 *)(UINTN)address;
}

static void store64(void *context, uint64_t address, uint64_t value)
{
	(void)context;
	*(volatile UINT64 *)(UINTN)address = value;
}

/* Whether the firmware's memory map holds the range: memory the OS may
 * take is reserved for good (EfiReservedMemoryType, allocated at that
 * address); memory outside the map (QEMU's own PV time region) or already
 * reserved is the OS's never. */
static bool keep_reserved(void *context, uint64_t address, uint64_t length, const char **where)
{
	UINTN entries, key, size;
	UINT32 version;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &size, &version);
	EFI_MEMORY_TYPE type = EfiMaxMemoryType;

	(void)context;
	if (!map) {
		*where = "in memory whose map could not be read";
		return false;
	}
	for (UINTN i = 0; i < entries; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)map + i * size);
		if (address >= d->PhysicalStart &&
		    address + length <= d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE)
			type = d->Type;
	}
	FreePool(map);
	if (type == EfiMaxMemoryType) {
		*where = "outside the firmware's memory map";
		return true;
	}
	if (type == EfiReservedMemoryType) {
		*where = "reserved in the memory map";
		return true;
	}
	EFI_PHYSICAL_ADDRESS page = address & ~(EFI_PHYSICAL_ADDRESS)(EFI_PAGE_SIZE - 1);
	if (EFI_ERROR(BS->AllocatePages(AllocateAddress, EfiReservedMemoryType, 1, &page))) {
		*where = "in memory the OS may take";
		return false;
	}
	*where = "reserved now, for good";
	return true;
}

static void probe(struct hv_report *report)
{
	struct smccc_probe_machine machine = {
		.context = &report->smccc, .call = probe_call, .counter = counter,
		.counter_hz = counter_frequency(), .rtc = firmware_rtc, .load64 = load64,
		.store64 = store64, .keep_reserved = keep_reserved,
	};

	if (report->smccc.conduit == SMCCC_CONDUIT_NONE) {
		probe_not_run(report, "no SMCCC conduit to call the hypervisor through");
		return;
	}
	const char *unguarded = smccc_guard_open();
	if (unguarded) {
		probe_not_run(report, unguarded);
		return;
	}
	smccc_probe_run(report, &machine);
	report->probes.handlers_left = smccc_guard_close();
}

/* SEV_STATUS and TDCALL are x86's: only what the firmware publishes
 * (the CC measurement protocol) is read here. */
#define CVM_NO_MACHINE_AARCH64 "AArch64: no SEV_STATUS or TDCALL to read"

void arch_read_vcpus(struct hv_report *report)
{
	vcpus_not_read(report, "AArch64 has no CPUID to compare across vCPUs");
}

void arch_examine(struct hv_report *report, const struct hvfeat_options *options, bool probes)
{
	static struct cvm_firmware firmware;

	(void)options;
	ask_hypervisor(report);
	read_id_registers(&report->arm_id);
	cvm_firmware_read(&firmware);
	cvm_examine(report, NULL, CVM_NO_MACHINE_AARCH64, &firmware);
	if (probes)
		probe(report);
}

/* The line startup.nsh writes for %lasterror%, so that tests read the
 * status of a directly booted hvfeat the same way. */
void arch_exit_port(EFI_HANDLE image, uint8_t classes, EFI_STATUS status)
{
	char line[64];
	struct buffer_sink text;
	const char *failed_step;
	EFI_STATUS old_left;

	(void)classes;
	string_sink_init(&text, line, sizeof(line));
	sink_printf(&text.sink, "hvfeat exit status 0x%lx\r\n", (unsigned long)status);
	string_sink_finish(&text);
	esp_file_replace(image, "\\hvfeat.status", line, text.length, &failed_step, &old_left);
}
