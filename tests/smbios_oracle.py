"""dmidecode (Debian's package), an independent reader of the SMBIOS
tables Linux shows in /sys/firmware/dmi/tables: its text for types 0, 1
and 11 read back, and compared with what hvfeat's JSON says of the same
tables. The host and the real-KVM tests share it."""

import re

# dmidecode's words for what it does not have (dmidecode.c: dmi_string
# gives "Not Specified" for string 0 and "<BAD INDEX>" past the strings).
NOT_SPECIFIED = "Not Specified"
# dmi_bios_characteristics_x2: its words for two bits of extension byte 2.
VIRTUAL_MACHINE = "System is a virtual machine"
UEFI = "UEFI is supported"
# dmi_system_uuid: its words for a UUID of all FFh ("not currently present
# in the system, but it can be set", DSP0134 7.2.1) and of all 00h ("not
# present in the system"), and what hvfeat's JSON says of them.
NO_UUID = {"Not Present": ("ffffffff-ffff-ffff-ffff-ffffffffffff", "not_present"),
           "Not Settable": ("00000000-0000-0000-0000-000000000000", "not_settable")}


def parse(text):
    """dmidecode -t 0,1,11: {"version": "2.8" (or "3.0.0"), "none": True
    when it found no tables, 0: {field: value, "characteristics": [...]},
    1: {...}, 11: [strings]} for the first structure of each type."""
    tables = {"none": "No SMBIOS nor DMI entry point found" in text}
    version = re.search(r"^SMBIOS (\d+\.\d+(?:\.\d+)?) present\.$", text, re.M)
    tables["version"] = version.group(1) if version else None
    for block in re.split(r"\n(?=Handle 0x)", text):
        kind = re.match(r"Handle 0x[0-9A-F]+, DMI type (\d+), \d+ bytes\n", block)
        if not kind or int(kind.group(1)) in tables:
            continue
        fields, listing = {}, None
        for line in block.splitlines()[2:]:
            if line.startswith("\t\t") and listing is not None:
                listing.append(line.strip())
            elif line.startswith("\t") and ":" in line:
                name, _, value = line[1:].partition(":")
                value = value.strip()
                listing = [] if not value else None
                fields[name] = listing if listing is not None else value
        number = int(kind.group(1))
        tables[number] = ([value for name, value in fields.items() if name.startswith("String ")]
                          if number == 11 else fields)
    return tables


def string(fields, name):
    """A string field as hvfeat's JSON gives it: None for dmidecode's
    'Not Specified'."""
    value = fields.get(name)
    return None if value == NOT_SPECIFIED else value


def differences(smbios, tables):
    """What hvfeat's JSON "smbios" object says differently from dmidecode
    (parse()), as lines; empty when they agree."""
    found = []

    def check(what, hvfeat, dmidecode):
        if hvfeat != dmidecode:
            found.append(f"{what}: hvfeat {hvfeat!r}, dmidecode {dmidecode!r}")

    entry = smbios.get("entry_point") or {}
    version = f"{entry.get('major')}.{entry.get('minor')}"
    if entry.get("docrev") is not None:
        version += f".{entry['docrev']}"
    check("version", version, tables["version"])
    bios, system = tables.get(0, {}), tables.get(1, {})
    type0, type1 = smbios.get("type0") or {}, smbios.get("type1") or {}
    check("type 0 vendor", type0.get("vendor"), string(bios, "Vendor"))
    check("type 0 version", type0.get("version"), string(bios, "Version"))
    check("type 0 release date", type0.get("release_date"), string(bios, "Release Date"))
    characteristics = bios.get("Characteristics") or []
    check("type 0 virtual machine", type0.get("vm"), VIRTUAL_MACHINE in characteristics)
    check("type 0 UEFI", type0.get("uefi"), UEFI in characteristics)
    for key, name in (("manufacturer", "Manufacturer"), ("product", "Product Name"),
                      ("version", "Version"), ("serial", "Serial Number"),
                      ("sku", "SKU Number"), ("family", "Family")):
        check(f"type 1 {key}", type1.get(key), string(system, name))
    # dmidecode writes the UUID in capitals, or its word for DSP0134
    # 7.2.1's two values that are none (dmi_system_uuid)
    uuid = system.get("UUID")
    uuid, state = NO_UUID.get(uuid, (uuid.lower(), "set") if uuid else
                              (None, "absent" if system else None))
    check("type 1 uuid", type1.get("uuid"), uuid)
    check("type 1 uuid state", type1.get("uuid_state"), state)
    check("type 11", smbios.get("type11", {}).get("strings"), tables.get(11, []))
    return found
