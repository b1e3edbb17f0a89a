"""/proc/bus/input/devices texts of real kinds of terminals, for the [input] section tests.

Bitmaps are printed by the kernel as ``unsigned long`` words, most significant
first: 32-bit words on the Raspberry Pi sample (32-bit Raspberry Pi OS), 64-bit
ones on the PC samples.
"""

# Raspberry Pi (Zero), official 7" touchscreen (firmware driver, multitouch protocol B), a
# keyboard-wedge badge reader and the HDMI CEC remote-control input. 32-bit kernel.
RASPBERRY_PI = """\
I: Bus=0018 Vendor=0000 Product=0000 Version=0000
N: Name="FT5406 memory based driver"
P: Phys=
S: Sysfs=/devices/virtual/input/input0
U: Uniq=
H: Handlers=mouse0 event0
B: PROP=2
B: EV=b
B: KEY=400 0 0 0 0 0 0 0 0 0 0
B: ABS=2608000 3

I: Bus=0003 Vendor=ffff Product=0035 Version=0110
N: Name="Sycreader RFID Technology Co., Ltd SYC ID&IC USB Reader"
P: Phys=usb-20980000.usb-1/input0
S: Sysfs=/devices/platform/soc/20980000.usb/usb1/1-1/1-1:1.0/0003:FFFF:0035.0001/input/input1
U: Uniq=08FF20140315
H: Handlers=sysrq kbd leds event1
B: PROP=0
B: EV=120013
B: KEY=10000 7 ff9f207a c14057ff febeffdf ffefffff ffffffff fffffffe
B: MSC=10
B: LED=1f

I: Bus=0000 Vendor=0000 Product=0000 Version=0000
N: Name="vc4-hdmi"
P: Phys=vc4-hdmi/input0
S: Sysfs=/devices/platform/soc/20902000.hdmi/rc/rc0/input2
U: Uniq=
H: Handlers=kbd event2
B: PROP=20
B: EV=100017
B: KEY=18000 180 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 ffc
B: REL=3
B: MSC=10
"""

# PC with an ILITEK USB touch panel: its multitouch interface (hid-multitouch,
# protocol B) and the same panel's "Mouse" interface, plus a keyboard and a mouse.
ILITEK_PC = """\
I: Bus=0019 Vendor=0000 Product=0001 Version=0000
N: Name="Power Button"
P: Phys=LNXPWRBN/button/input0
S: Sysfs=/devices/LNXSYSTM:00/LNXPWRBN:00/input/input2
U: Uniq=
H: Handlers=kbd event2
B: PROP=0
B: EV=3
B: KEY=10000000000000 0

I: Bus=0011 Vendor=0001 Product=0001 Version=ab41
N: Name="AT Translated Set 2 keyboard"
P: Phys=isa0060/serio0/input0
S: Sysfs=/devices/platform/i8042/serio0/input/input3
U: Uniq=
H: Handlers=sysrq kbd event3 leds
B: PROP=0
B: EV=120013
B: KEY=402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe
B: MSC=10
B: LED=7

I: Bus=0003 Vendor=046d Product=c077 Version=0111
N: Name="Logitech USB Optical Mouse"
P: Phys=usb-0000:00:14.0-2/input0
S: Sysfs=/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/0003:046D:C077.0002/input/input4
U: Uniq=
H: Handlers=mouse0 event4
B: PROP=0
B: EV=17
B: KEY=70000 0 0 0 0
B: REL=903
B: MSC=10

I: Bus=0003 Vendor=222a Product=0001 Version=0110
N: Name="ILITEK ILITEK-TP"
P: Phys=usb-0000:00:14.0-4/input0
S: Sysfs=/devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4:1.0/0003:222A:0001.0003/input/input5
U: Uniq=
H: Handlers=mouse1 event5
B: PROP=2
B: EV=1b
B: KEY=400 0 0 0 0 0
B: ABS=260800000000003
B: MSC=20

I: Bus=0003 Vendor=222a Product=0001 Version=0110
N: Name="ILITEK ILITEK-TP Mouse"
P: Phys=usb-0000:00:14.0-4/input1
S: Sysfs=/devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4:1.1/0003:222A:0001.0004/input/input6
U: Uniq=
H: Handlers=mouse2 event6
B: PROP=0
B: EV=1f
B: KEY=70000 0 0 0 0
B: REL=3
B: ABS=3
B: MSC=10
"""

# x86 tablet-style panel PC: Goodix i2c touchscreen (protocol B, with its Windows
# key) and a Synaptics touchpad that must not be taken for a touchscreen.
GOODIX_PANEL = """\
I: Bus=0018 Vendor=0416 Product=038f Version=0100
N: Name="Goodix Capacitive TouchScreen"
P: Phys=input/ts
S: Sysfs=/devices/platform/80860F41:04/i2c-4/i2c-GDIX1001:00/input/input7
U: Uniq=
H: Handlers=kbd event7
B: PROP=2
B: EV=b
B: KEY=400 0 0 0 2000000000000000 0
B: ABS=265800000000003

I: Bus=0011 Vendor=0002 Product=0007 Version=01b1
N: Name="SynPS/2 Synaptics TouchPad"
P: Phys=isa0060/serio1/input0
S: Sysfs=/devices/platform/i8042/serio1/input/input8
U: Uniq=
H: Handlers=mouse3 event8
B: PROP=5
B: EV=b
B: KEY=e5e0 30000 0 0 0 0
B: ABS=660800011000003
"""

# Older resistive panel: single touch (ABS_X/ABS_Y + BTN_TOUCH, no multitouch axes).
SINGLE_TOUCH = """\
I: Bus=0003 Vendor=0eef Product=0001 Version=0100
N: Name="eGalax Inc. USB TouchController"
P: Phys=usb-0000:00:14.0-3/input0
S: Sysfs=/devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/input/input9
U: Uniq=
H: Handlers=mouse4 event9
B: PROP=0
B: EV=b
B: KEY=400 0 0 0 0 0
B: ABS=3

I: Bus=0011 Vendor=0001 Product=0001 Version=ab41
N: Name="AT Translated Set 2 keyboard"
P: Phys=isa0060/serio0/input0
S: Sysfs=/devices/platform/i8042/serio0/input/input3
U: Uniq=
H: Handlers=sysrq kbd event3 leds
B: PROP=0
B: EV=120013
B: KEY=402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe
B: MSC=10
B: LED=7
"""

# Multitouch protocol A (no ABS_MT_SLOT): positions and tracking ids, SYN_MT_REPORT.
PROTOCOL_A = """\
I: Bus=0003 Vendor=0eef Product=7224 Version=0210
N: Name="eGalax Touch Screen"
P: Phys=usb-0000:00:14.0-3/input0
S: Sysfs=/devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/input/input10
U: Uniq=
H: Handlers=mouse5 event10
B: PROP=2
B: EV=b
B: KEY=400 0 0 0 0 0
B: ABS=260000000000003
"""

# Desktop without a touchscreen: keyboard and mouse only.
DESKTOP = "\n".join(ILITEK_PC.split("\n\n")[:3]) + "\n"
