/* The AArch64 side of the firmware shell (efi/arch.h): the hypervisor
 * asked through SMCCC over the conduit the firmware names, and the exit
 * status in \hvfeat.status, since QEMU's virt machine has no
 * isa-debug-exit. */
#include <efi.h>
#include <efilib.h>

#include "arch.h"
#include "esp_files.h"
#include "smccc_machine.h"

void arch_ask_hypervisor(struct hv_report *report)
{
	static char origin[SMCCC_ORIGIN_MAX];
	struct buffer_sink text;
	struct smccc_source source;
	enum smccc_conduit conduit = SMCCC_CONDUIT_NONE;

	string_sink_init(&text, origin, sizeof(origin));
	if (report->fadt.has_arm_boot_flags) {
		conduit = smccc_conduit_from_arm_boot_flags(report->fadt.arm_boot_flags);
		sink_printf(&text.sink, "ACPI FADT ARM boot flags 0x%04x",
			    report->fadt.arm_boot_flags);
	} else {
		sink_puts(&text.sink, "no ACPI FADT with ARM boot flags");
	}
	string_sink_finish(&text);
	const char *unguarded = conduit == SMCCC_CONDUIT_NONE ? NULL : smccc_guard_open();
	if (unguarded)
		conduit = SMCCC_CONDUIT_NONE;
	smccc_source_guarded(&source, conduit, unguarded ? unguarded : origin);
	smccc_scan(&report->smccc, &source);
	if (!unguarded && conduit != SMCCC_CONDUIT_NONE)
		report->probes.handlers_left = smccc_guard_close();
}

void arch_probe(struct hv_report *report, const struct hvfeat_options *options)
{
	(void)options;
	const char *left = report->probes.handlers_left;
	probe_not_run(report, "the AArch64 probes are not written yet");
	report->probes.handlers_left = left;
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
