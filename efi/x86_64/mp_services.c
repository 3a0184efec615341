/* The firmware's vCPUs: EFI_MP_SERVICES_PROTOCOL (UEFI PI 1.7, volume 2,
 * 13.4), which gnu-efi 3.0.15 does not declare. The code it runs on the
 * application processors obeys the protocol's rules for them: no boot
 * services, no protocol, no console, no allocation, only CPUID and what
 * the core's step gives them (plain memory, atomics, the TSC, the MSR the
 * probe names); every wait is bounded and a timeout is reported. */
#include <efi.h>
#include <efilib.h>

#include "mp_services.h"

#define MP_SERVICES_PROTOCOL_GUID \
	{ 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }

/* EFI_PROCESSOR_INFORMATION.StatusFlag */
#define PROCESSOR_AS_BSP_BIT 0x1u
#define PROCESSOR_ENABLED_BIT 0x2u
#define PROCESSOR_HEALTH_STATUS_BIT 0x4u

typedef VOID(EFIAPI *AP_PROCEDURE)(VOID *argument);

struct processor_information {
	UINT64 processor_id; /* the processor's (x2)APIC ID */
	UINT32 status_flag;
	UINT32 location[3];  /* package, core, thread */
	/* PI 1.7 ExtendedInformation, written only when asked for with
	 * CPU_V2_EXTENDED_TOPOLOGY: room for it all the same */
	UINT32 extended[6];
};

struct mp_services_protocol {
	EFI_STATUS(EFIAPI *get_number_of_processors)(struct mp_services_protocol *self,
						     UINTN *processors, UINTN *enabled);
	EFI_STATUS(EFIAPI *get_processor_info)(struct mp_services_protocol *self, UINTN number,
					       struct processor_information *info);
	EFI_STATUS(EFIAPI *startup_all_aps)(struct mp_services_protocol *self,
					    AP_PROCEDURE procedure, BOOLEAN single_thread,
					    EFI_EVENT wait_event, UINTN timeout_us, VOID *argument,
					    UINTN **failed_cpu_list);
	EFI_STATUS(EFIAPI *startup_this_ap)(struct mp_services_protocol *self,
					    AP_PROCEDURE procedure, UINTN number,
					    EFI_EVENT wait_event, UINTN timeout_us, VOID *argument,
					    BOOLEAN *finished);
	/* SwitchBSP, EnableDisableAP and WhoAmI: unused */
};

static struct mp_services_protocol *mp;
static UINTN processors, enabled_processors;

const char *mp_services_open(void)
{
	EFI_GUID guid = MP_SERVICES_PROTOCOL_GUID;

	mp = NULL;
	if (EFI_ERROR(BS->LocateProtocol(&guid, NULL, (void **)&mp)) || !mp)
		return "the firmware has no EFI_MP_SERVICES_PROTOCOL";
	if (EFI_ERROR(mp->get_number_of_processors(mp, &processors, &enabled_processors)) ||
	    !processors) {
		mp = NULL;
		return "EFI_MP_SERVICES_PROTOCOL would not count the processors";
	}
	return NULL;
}

/* --- CPUID on each vCPU ------------------------------------------------ */

struct cpuid_job {
	struct cpuid_record *records;
	UINTN count;
};

/* On the application processor: CPUID alone. */
static VOID EFIAPI cpuid_on_ap(VOID *argument)
{
	struct cpuid_job *job = argument;
	struct cpuid_source cpuid;

	cpuid_source_hardware(&cpuid);
	for (UINTN i = 0; i < job->count; i++)
		cpuid.query(&cpuid, job->records[i].leaf, job->records[i].subleaf,
			    &job->records[i].regs);
}

static void describe(const struct vcpu_source *self, size_t index, struct vcpu_identity *out)
{
	struct processor_information info;

	(void)self;
	*out = (struct vcpu_identity){ .number = (uint32_t)index };
	if (EFI_ERROR(mp->get_processor_info(mp, index, &info)))
		return;
	*out = (struct vcpu_identity){ .number = (uint32_t)index, .apic_id = info.processor_id,
				       .apic_id_known = true,
				       .boot = info.status_flag & PROCESSOR_AS_BSP_BIT,
				       .enabled = info.status_flag & PROCESSOR_ENABLED_BIT,
				       .healthy = info.status_flag & PROCESSOR_HEALTH_STATUS_BIT };
}

/* Blocking, bounded: on a timeout the firmware takes the processor back
 * (edk2 MpInitLib resets it to idle) before the call returns. */
static enum vcpu_state read(const struct vcpu_source *self, size_t index,
			    struct cpuid_record *records, size_t count)
{
	struct cpuid_job job = { records, count };

	(void)self;
	EFI_STATUS status = mp->startup_this_ap(mp, cpuid_on_ap, index, NULL,
						VCPU_CPUID_TIMEOUT_MS * 1000u, &job, NULL);
	if (status == EFI_TIMEOUT)
		return VCPU_TIMED_OUT;
	return EFI_ERROR(status) ? VCPU_NOT_STARTED : VCPU_COMPARED;
}

void mp_services_vcpu_source(struct vcpu_source *source)
{
	*source = (struct vcpu_source){ .method = "EFI_MP_SERVICES_PROTOCOL",
					.present = processors, .enabled = enabled_processors,
					.describe = describe, .read = read };
}

/* --- code on every vCPU at once ---------------------------------------- */

/* How long past the timeout the firmware gets to take back a processor
 * that had not finished and say so: edk2 looks at non-blocking requests
 * every PcdCpuApStatusCheckIntervalInMicroSeconds (10 ms in OVMF). */
#define TAKE_BACK_MS 1000u

/* The processor numbers every_vcpu runs on: this one first. */
static uint32_t vcpu_numbers[PROBE_VCPU_MAX];
static size_t vcpu_count;

static struct step_job {
	vcpu_step step;
	void *argument;
	size_t vcpu;
	volatile BOOLEAN done;
} jobs[PROBE_VCPU_MAX];

static VOID EFIAPI steps_on_ap(VOID *argument)
{
	struct step_job *job = argument;

	while (job->step(job->argument, job->vcpu))
		__asm__ volatile("pause" ::: "memory");
	__atomic_store_n(&job->done, TRUE, __ATOMIC_RELEASE);
}

/* Starts the others without waiting (the boot vCPU runs its own steps
 * meanwhile), then waits for each one's event, which the firmware signals
 * when it returned or was taken back at its timeout. */
static void every_vcpu(void *context, vcpu_step step, void *argument, uint32_t timeout_us,
		       bool *started, bool *finished)
{
	EFI_EVENT events[PROBE_VCPU_MAX] = { NULL };

	(void)context;
	for (size_t i = 1; i < vcpu_count; i++) {
		jobs[i] = (struct step_job){ step, argument, i, FALSE };
		started[i] = !EFI_ERROR(BS->CreateEvent(0, 0, NULL, NULL, &events[i])) &&
			     !EFI_ERROR(mp->startup_this_ap(mp, steps_on_ap,
							    vcpu_numbers[i], events[i],
							    timeout_us, &jobs[i], NULL));
	}
	started[0] = true;
	while (step(argument, 0))
		__asm__ volatile("pause" ::: "memory");
	finished[0] = true;
	for (size_t i = 1; i < vcpu_count; i++) {
		for (uint32_t waited = 0; started[i] && waited < timeout_us / 1000u + TAKE_BACK_MS;
		     waited++) {
			if (BS->CheckEvent(events[i]) == EFI_SUCCESS)
				break;
			BS->Stall(1000);
		}
		finished[i] = started[i] && __atomic_load_n(&jobs[i].done, __ATOMIC_ACQUIRE);
		if (events[i])
			BS->CloseEvent(events[i]);
	}
}

void mp_services_probe_vcpus(struct probe_machine *machine)
{
	struct processor_information info;

	vcpu_count = 1;
	vcpu_numbers[0] = 0;
	for (UINTN n = 0; mp && n < processors; n++)
		if (!EFI_ERROR(mp->get_processor_info(mp, n, &info)) &&
		    (info.status_flag & PROCESSOR_AS_BSP_BIT))
			vcpu_numbers[0] = (uint32_t)n;
	for (UINTN n = 0; mp && n < processors && vcpu_count < PROBE_VCPU_MAX; n++)
		if (!EFI_ERROR(mp->get_processor_info(mp, n, &info)) &&
		    !(info.status_flag & PROCESSOR_AS_BSP_BIT) &&
		    (info.status_flag & PROCESSOR_ENABLED_BIT))
			vcpu_numbers[vcpu_count++] = (uint32_t)n;
	machine->vcpu_count = vcpu_count;
	for (size_t i = 0; i < vcpu_count; i++)
		machine->vcpu_numbers[i] = vcpu_numbers[i];
	machine->every_vcpu = vcpu_count > 1 ? every_vcpu : NULL;
}
