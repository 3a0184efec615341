@echo -off
# Runs hvfeat from whichever file system holds it, then powers off.
# To run hvfeat by hand instead, press any key but ESC at the countdown...
# no: press ESC to get a prompt, then type fsN:\hvfeat.efi (see README).
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
