/* Test equipment for the firmware tests, never installed: a launcher that
 * starts hvfeat the way a boot manager or a network boot does.
 *
 *   launcher.efi DEVICE [OPTIONS-FILE]
 *
 * reads \hvfeat.efi from its own volume into memory and starts it with
 * LoadImage(SourceBuffer) under a device path chosen by DEVICE:
 *   file  the file on the launcher's own volume, as a boot manager loads it
 *   fv    a file of the firmware volume the shell came from: a device
 *         without a file system, as for an image in flash
 *   none  a vendor media node no handle has: no device at all, as for an
 *         image a network boot loaded into memory
 * with the bytes of OPTIONS-FILE as its load options, exactly as they are.
 * Like edk2's boot manager it arms the 5-minute watchdog before StartImage;
 * after hvfeat returns it prints hvfeat's status and the watchdog period
 * left behind, disables the watchdog and returns hvfeat's status, so the
 * shell's %lasterror% is hvfeat's. */
#include <stdbool.h>

#include <efi.h>
#include <efilib.h>

/* PI specification vol. 2, the watchdog timer architectural protocol. */
#define WATCHDOG_TIMER_ARCH_PROTOCOL_GUID \
	{ 0x665e3ff5, 0x46cc, 0x11d4, { 0x9a, 0x38, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d } }

struct watchdog_timer_arch {
	EFI_STATUS(EFIAPI *register_handler)(struct watchdog_timer_arch *self, void *notify);
	EFI_STATUS(EFIAPI *set_timer_period)(struct watchdog_timer_arch *self, UINT64 period);
	EFI_STATUS(EFIAPI *get_timer_period)(struct watchdog_timer_arch *self, UINT64 *period);
};

/* Names the nodes this launcher makes; no firmware knows it. */
#define LAUNCHER_GUID \
	{ 0x6876666c, 0x6175, 0x6e63, { 0x68, 0x65, 0x72, 0x2e, 0x65, 0x66, 0x69, 0x00 } }

#define BOOT_MANAGER_WATCHDOG_SECONDS 300

/* A whole file of the launcher's own volume, in pool memory. */
static EFI_STATUS read_file(EFI_HANDLE device, CHAR16 *path, void **data, UINTN *size)
{
	EFI_FILE_HANDLE root = LibOpenRoot(device), file;
	EFI_STATUS status = root ? root->Open(root, &file, path, EFI_FILE_MODE_READ, 0)
				 : EFI_NOT_FOUND;

	if (EFI_ERROR(status))
		return status;
	EFI_FILE_INFO *info = LibFileInfo(file);
	*size = info ? info->FileSize : 0;
	*data = info ? AllocatePool(*size ? *size : 1) : NULL;
	status = *data ? file->Read(file, size, *data) : EFI_OUT_OF_RESOURCES;
	if (info)
		FreePool(info);
	file->Close(file);
	root->Close(root);
	return status;
}

static bool has_file_system(EFI_HANDLE device)
{
	void *volume;
	return device && !EFI_ERROR(BS->HandleProtocol(device, &FileSystemProtocol, &volume));
}

static EFI_DEVICE_PATH *device_path(CHAR16 *kind, const EFI_LOADED_IMAGE *self)
{
	static struct {
		VENDOR_DEVICE_PATH vendor;
		EFI_DEVICE_PATH end;
	} __attribute__((packed)) no_device = {
		{ { MEDIA_DEVICE_PATH, MEDIA_VENDOR_DP, { sizeof(VENDOR_DEVICE_PATH), 0 } },
		  LAUNCHER_GUID },
		{ END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE,
		  { sizeof(EFI_DEVICE_PATH), 0 } },
	};
	MEDIA_FW_VOL_FILEPATH_DEVICE_PATH fv_file = {
		{ MEDIA_DEVICE_PATH, MEDIA_PIWG_FW_FILE_DP, { sizeof(fv_file), 0 } },
		LAUNCHER_GUID,
	};
	EFI_LOADED_IMAGE *shell;

	if (!StrCmp(kind, L"file"))
		return FileDevicePath(self->DeviceHandle, L"\\hvfeat.efi");
	if (!StrCmp(kind, L"none"))
		return (EFI_DEVICE_PATH *)&no_device;
	if (StrCmp(kind, L"fv") || EFI_ERROR(BS->HandleProtocol(self->ParentHandle,
								 &LoadedImageProtocol,
								 (void **)&shell)))
		return NULL;
	return AppendDevicePathNode(DevicePathFromHandle(shell->DeviceHandle),
				    &fv_file.Header);
}

/* The device hvfeat was given is the kind asked for. */
static bool device_as_asked(CHAR16 *kind, EFI_HANDLE device)
{
	if (!StrCmp(kind, L"file"))
		return has_file_system(device);
	if (!StrCmp(kind, L"fv"))
		return device && !has_file_system(device);
	return !device;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	EFI_GUID watchdog_guid = WATCHDOG_TIMER_ARCH_PROTOCOL_GUID;
	struct watchdog_timer_arch *watchdog;
	EFI_LOADED_IMAGE *self, *child_image;
	EFI_HANDLE child;
	CHAR16 **argv;
	void *efi, *options = NULL;
	UINTN efi_size, options_size = 0;
	UINT64 period = 0;

	InitializeLib(image, system_table);
	INTN argc = GetShellArgcArgv(image, &argv);
	EFI_STATUS status = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&self);
	if (!EFI_ERROR(status))
		status = read_file(self->DeviceHandle, L"\\hvfeat.efi", &efi, &efi_size);
	if (!EFI_ERROR(status) && argc == 3)
		status = read_file(self->DeviceHandle, argv[2], &options, &options_size);
	EFI_DEVICE_PATH *path = argc == 2 || argc == 3 ? device_path(argv[1], self) : NULL;
	if (EFI_ERROR(status) || !path) {
		Print(L"launcher: usage: launcher.efi file|fv|none [OPTIONS-FILE] (%r)\n", status);
		return EFI_INVALID_PARAMETER;
	}

	BS->SetWatchdogTimer(BOOT_MANAGER_WATCHDOG_SECONDS, 0, 0, NULL);
	status = BS->LoadImage(FALSE, image, path, efi, efi_size, &child);
	if (!EFI_ERROR(status))
		status = BS->HandleProtocol(child, &LoadedImageProtocol, (void **)&child_image);
	if (!EFI_ERROR(status) && !device_as_asked(argv[1], child_image->DeviceHandle)) {
		Print(L"launcher: hvfeat's device is not of the kind asked for\n");
		status = EFI_NOT_READY;
	}
	if (EFI_ERROR(status)) {
		Print(L"launcher: hvfeat not started: %r\n", status);
		BS->SetWatchdogTimer(0, 0, 0, NULL);
		return status;
	}
	child_image->LoadOptions = options;
	child_image->LoadOptionsSize = (UINT32)options_size;
	status = BS->StartImage(child, NULL, NULL);
	FreePool(efi);
	if (options)
		FreePool(options);
	if (EFI_ERROR(BS->LocateProtocol(&watchdog_guid, NULL, (void **)&watchdog)) ||
	    EFI_ERROR(watchdog->get_timer_period(watchdog, &period)))
		Print(L"launcher: the watchdog period cannot be read\n");
	else
		Print(L"launcher: hvfeat returned 0x%lx; watchdog period %lu x 100 ns\n",
		      status & ~EFI_ERROR_MASK, period);
	BS->SetWatchdogTimer(0, 0, 0, NULL);
	return status;
}
