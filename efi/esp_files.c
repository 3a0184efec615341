#include "esp_files.h"

#include <efilib.h>

static const UINT64 read_write = EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE;

/* An ASCII path as an absolute CHAR16 path; '/' is accepted for '\'. */
static CHAR16 *absolute_path(const char *path, const char *suffix)
{
	UINTN length = 1, i = 0;
	for (const char *p = path; *p; p++)
		length++;
	for (const char *p = suffix; *p; p++)
		length++;

	CHAR16 *out = AllocatePool((length + 1) * sizeof(CHAR16));
	if (!out)
		return NULL;
	if (path[0] != '\\' && path[0] != '/')
		out[i++] = L'\\';
	for (const char *p = path; *p; p++)
		out[i++] = *p == '/' ? L'\\' : (CHAR16)(unsigned char)*p;
	for (const char *p = suffix; *p; p++)
		out[i++] = (CHAR16)(unsigned char)*p;
	out[i] = 0;
	return out;
}

/* A shell volume name at the start of path ("fs1:"), as CHAR16 with its
 * colon, or NULL: letters and digits, then a colon. */
static CHAR16 *volume_name(const char *path, const char **rest)
{
	const char *p = path;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
		p++;
	if (p == path || *p != ':' || p - path > 32)
		return NULL;
	CHAR16 *name = AllocatePool((UINTN)(p - path + 2) * sizeof(CHAR16));
	if (!name)
		return NULL;
	UINTN i = 0;
	for (const char *c = path; c <= p; c++)
		name[i++] = (CHAR16)*c;
	name[i] = 0;
	*rest = p + 1;
	return name;
}

static EFI_STATUS open_file_system(EFI_HANDLE device, EFI_FILE_HANDLE *root,
				   const char **failed_step)
{
	EFI_FILE_IO_INTERFACE *volume;
	*failed_step = "finding a file system on the volume";
	EFI_STATUS status = BS->HandleProtocol(device, &FileSystemProtocol, (void **)&volume);
	if (EFI_ERROR(status))
		return status;
	*failed_step = "opening the volume";
	return volume->OpenVolume(volume, root);
}

/* The root of the volume a path names: the shell's mapping ("fs1:\\x.log")
 * when it starts with one, else the volume the image was loaded from;
 * *path is advanced past the mapping. Not gnu-efi's LibOpenRoot: it
 * returns NULL without the firmware's status, which the messages name. */
static EFI_STATUS open_root(EFI_HANDLE image, const char **path, EFI_FILE_HANDLE *root,
			    const char **failed_step)
{
	EFI_LOADED_IMAGE *loaded;
	EFI_SHELL_PROTOCOL *shell;
	EFI_DEVICE_PATH *device_path;
	EFI_HANDLE device;
	const char *rest;
	CHAR16 *name = volume_name(*path, &rest);

	if (name) {
		*failed_step = "finding the UEFI shell, which names volumes";
		EFI_STATUS status = BS->LocateProtocol(&ShellProtocolGuid, NULL, (void **)&shell);
		if (!EFI_ERROR(status)) {
			*failed_step = "finding the volume of that name";
			/* LocateDevicePath only advances the pointer. */
			device_path = (EFI_DEVICE_PATH *)shell->GetDevicePathFromMap(name);
			status = device_path ? BS->LocateDevicePath(&FileSystemProtocol, &device_path,
								    &device)
					     : EFI_NOT_FOUND;
		}
		FreePool(name);
		if (EFI_ERROR(status))
			return status;
		*path = rest;
		return open_file_system(device, root, failed_step);
	}
	*failed_step = "finding the loaded image";
	EFI_STATUS status = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&loaded);
	if (EFI_ERROR(status))
		return status;
	/* An image loaded from memory may have no device at all. */
	status = loaded->DeviceHandle ? open_file_system(loaded->DeviceHandle, root, failed_step)
				      : EFI_UNSUPPORTED;
	if (status == EFI_UNSUPPORTED)
		*failed_step = "finding a file system on the boot device";
	return status;
}

bool esp_boot_volume_has_files(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *loaded;
	EFI_FILE_IO_INTERFACE *volume;

	return !EFI_ERROR(BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&loaded)) &&
	       loaded->DeviceHandle &&
	       !EFI_ERROR(BS->HandleProtocol(loaded->DeviceHandle, &FileSystemProtocol,
					     (void **)&volume));
}

/* FatPkg reports every delete that did not happen (a non-empty directory,
 * a file it cannot remove) as the warning EFI_WARN_DELETE_FAILURE, which
 * EFI_ERROR() does not catch: here it is the refusal it stands for. The
 * handle is closed either way. */
static EFI_STATUS delete_file(EFI_FILE_HANDLE file)
{
	EFI_STATUS status = file->Delete(file);
	return status == EFI_WARN_DELETE_FAILURE ? EFI_ACCESS_DENIED : status;
}

/* Creates path afresh and writes all of text, flushed and closed. Open does
 * not truncate: what an earlier run left at path is deleted first, and
 * never written into when it will not go, or a shorter text would keep
 * the end of a longer one. */
static EFI_STATUS write_new_file(EFI_FILE_HANDLE root, CHAR16 *path,
				 const char *text, UINTN length,
				 const char **failed_step)
{
	EFI_FILE_HANDLE file;
	EFI_STATUS status;

	*failed_step = "creating the temporary file";
	status = root->Open(root, &file, path, read_write | EFI_FILE_MODE_CREATE, 0);
	if (EFI_ERROR(status))
		return status;
	*failed_step = "deleting a stale temporary file";
	status = delete_file(file);
	if (EFI_ERROR(status))
		return status;
	*failed_step = "creating the temporary file";
	status = root->Open(root, &file, path, read_write | EFI_FILE_MODE_CREATE, 0);
	if (EFI_ERROR(status))
		return status;

	UINTN written = length;
	*failed_step = "writing the temporary file";
	status = file->Write(file, &written, (void *)text);
	if (!EFI_ERROR(status) && written != length)
		status = EFI_VOLUME_FULL;
	if (!EFI_ERROR(status)) {
		*failed_step = "flushing the temporary file";
		status = file->Flush(file);
	}
	if (EFI_ERROR(status)) {
		file->Delete(file);
		return status;
	}
	*failed_step = "closing the temporary file";
	return file->Close(file);
}

static EFI_STATUS delete_if_present(EFI_FILE_HANDLE root, CHAR16 *path)
{
	EFI_FILE_HANDLE file;
	EFI_STATUS status = root->Open(root, &file, path, read_write, 0);

	if (status == EFI_NOT_FOUND)
		return EFI_SUCCESS;
	if (EFI_ERROR(status))
		return status;
	return delete_file(file);
}

/* The last component of a path: SetInfo renames within the directory, and
 * a bare name is the form every implementation takes. */
static CHAR16 *last_component(CHAR16 *path)
{
	CHAR16 *name = path;
	for (CHAR16 *c = path; *c; c++)
		if (*c == L'\\')
			name = c + 1;
	return name;
}

static EFI_STATUS rename_file(EFI_FILE_HANDLE root, CHAR16 *from, CHAR16 *to)
{
	EFI_FILE_HANDLE file;
	EFI_STATUS status = root->Open(root, &file, from, read_write, 0);
	if (EFI_ERROR(status))
		return status;

	CHAR16 *name = last_component(to);
	EFI_FILE_INFO *info = LibFileInfo(file);
	UINTN size = SIZE_OF_EFI_FILE_INFO + StrSize(name);
	EFI_FILE_INFO *renamed = info ? AllocatePool(size) : NULL;
	if (!renamed) {
		status = EFI_OUT_OF_RESOURCES;
	} else {
		CopyMem(renamed, info, SIZE_OF_EFI_FILE_INFO);
		StrCpy(renamed->FileName, name);
		renamed->Size = size;
		status = file->SetInfo(file, &GenericFileInfo, size, renamed);
	}
	if (renamed)
		FreePool(renamed);
	if (info)
		FreePool(info);
	EFI_STATUS closed = file->Close(file);
	return EFI_ERROR(status) ? status : closed;
}

static bool file_exists(EFI_FILE_HANDLE root, CHAR16 *path)
{
	EFI_FILE_HANDLE file;
	if (EFI_ERROR(root->Open(root, &file, path, EFI_FILE_MODE_READ, 0)))
		return false;
	file->Close(file);
	return true;
}

/* The steps, each leaving the text of the previous file whole somewhere:
 * 1. the new text goes to PATH.tmp (a failure deletes it; PATH untouched);
 * 2. PATH is renamed to PATH.old (PATH absent for a moment, PATH.old old);
 * 3. PATH.tmp is renamed to PATH (a failure renames PATH.old back);
 * 4. PATH.old is deleted, whether step 2 made it or an interrupted run
 *    left it; PATH holds the new text by then, so a PATH.old that will not
 *    go is *old_left, not a failure. */
static EFI_STATUS replace_steps(EFI_FILE_HANDLE root, CHAR16 *path, CHAR16 *temp,
				CHAR16 *old, const char *text, UINTN length,
				const char **failed_step, EFI_STATUS *old_left)
{
	EFI_STATUS status = write_new_file(root, temp, text, length, failed_step);
	if (EFI_ERROR(status))
		return status;

	bool had_old = file_exists(root, path);
	if (had_old) {
		*failed_step = "setting the previous file aside";
		status = delete_if_present(root, old);
		if (!EFI_ERROR(status))
			status = rename_file(root, path, old);
		if (EFI_ERROR(status)) {
			delete_if_present(root, temp);
			return status;
		}
	}
	*failed_step = "renaming the new file into place";
	status = rename_file(root, temp, path);
	if (EFI_ERROR(status)) {
		if (had_old)
			rename_file(root, old, path);
		delete_if_present(root, temp);
		return status;
	}
	*failed_step = "deleting the .old file";
	*old_left = delete_if_present(root, old);
	return EFI_SUCCESS;
}

EFI_STATUS esp_file_replace(EFI_HANDLE image, const char *path, const char *text,
			    UINTN length, const char **failed_step, EFI_STATUS *old_left)
{
	EFI_FILE_HANDLE root;
	EFI_STATUS status = open_root(image, &path, &root, failed_step);
	if (EFI_ERROR(status))
		return status;

	CHAR16 *final_path = absolute_path(path, "");
	CHAR16 *temp_path = absolute_path(path, ".tmp");
	CHAR16 *old_path = absolute_path(path, ".old");
	*failed_step = "allocating memory";
	status = final_path && temp_path && old_path ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
	if (!EFI_ERROR(status))
		status = replace_steps(root, final_path, temp_path, old_path, text, length,
				       failed_step, old_left);
	if (final_path)
		FreePool(final_path);
	if (temp_path)
		FreePool(temp_path);
	if (old_path)
		FreePool(old_path);
	root->Close(root);
	return status;
}

EFI_STATUS esp_file_read(EFI_HANDLE image, const char *path, UINTN limit,
			 void *(*allocate)(size_t size), char **text, UINTN *length,
			 const char **failed_step)
{
	EFI_FILE_HANDLE root, file;
	EFI_STATUS status = open_root(image, &path, &root, failed_step);
	if (EFI_ERROR(status))
		return status;

	CHAR16 *wide_path = absolute_path(path, "");
	*failed_step = "opening the file";
	status = wide_path ? root->Open(root, &file, wide_path, EFI_FILE_MODE_READ, 0)
			   : EFI_OUT_OF_RESOURCES;
	if (wide_path)
		FreePool(wide_path);
	root->Close(root);
	if (EFI_ERROR(status))
		return status;

	EFI_FILE_INFO *info = LibFileInfo(file);
	*failed_step = "reading the file's size";
	status = info ? EFI_SUCCESS : EFI_DEVICE_ERROR;
	if (info && (info->Attribute & EFI_FILE_DIRECTORY)) {
		*failed_step = "reading it: it is a directory";
		status = EFI_INVALID_PARAMETER;
	}
	if (!EFI_ERROR(status)) {
		*length = info->FileSize < limit ? info->FileSize : limit;
		*text = allocate(*length + 1);
		*failed_step = "reading the file";
		status = *text ? file->Read(file, length, *text) : EFI_OUT_OF_RESOURCES;
		if (!EFI_ERROR(status))
			(*text)[*length] = '\0';
	}
	if (info)
		FreePool(info);
	file->Close(file);
	return status;
}
