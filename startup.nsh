@echo -off
# The UEFI shell runs this at boot: it finds the file system that holds
# hvfeat.efi (not always fs0:), runs it from there so the log lands beside
# it, shows its exit status and writes that line to \hvfeat.status (the
# log stays exactly the report hvfeat showed), then powers the machine off.
# Press ESC at the shell's countdown to get a prompt instead (see README).
for %i run (0 15)
  if exist fs%i:\hvfeat.efi then
    fs%i:
    goto found
  endif
endfor
echo hvfeat: hvfeat.efi is on no file system
goto done
:found
hvfeat.efi
set hvfeat_status %lasterror%
echo hvfeat exit status %hvfeat_status%
# Only after a verdict (0x0 pass, 0x3 requirement failed): hvfeat has then
# written its log, so the volume takes a file. A redirect that fails
# (read-only or full ESP) would end this script before the power-off.
if exist \hvfeat.log then
  if %hvfeat_status% == 0x0 or %hvfeat_status% == 0x3 then
    echo hvfeat exit status %hvfeat_status% >a \hvfeat.status
  endif
endif
:done
reset -s
