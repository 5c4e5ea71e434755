;Sliced by ideaMaker 5.4.2.8790
;Dimension: 305.000 305.000 605.000 0.400 0.400
;Plate Shape: 0
;Origin Center: 0
;Extruder Offset #1: 0.000 0.000
;Filament Name #1: [Raise3D] PLA
;Filament Diameter #1: 1.75
;Filament Type #1: PLA
;Printer Type: RAISE3D Pro2 Plus - Hyper Speed
;Print Time: 2431
;Material#1 Used: 868.0
M140 S60
M104 T0 S230
T0
G21
G90
M82
M107
G92 E0
G1 F140 E29
G1 X20 Y0 F140 E30
G92 E0
M104 T0 S0
M84
