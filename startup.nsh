@echo -off
# The UEFI shell runs this at boot: it finds the file system that holds
# hvfeat.efi (not always fs0:), runs it from there so the log lands beside
# it, echoes its exit status and powers the machine off. Press ESC at the
# shell's countdown to get a prompt instead (see README).
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
echo hvfeat exit status %lasterror%
:done
reset -s
