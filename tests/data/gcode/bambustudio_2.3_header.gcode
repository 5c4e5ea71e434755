; HEADER_BLOCK_START
; BambuStudio 02.03.01.51
; estimated printing time (normal mode) = 28m 43s
; total layer number: 100
; total filament length [mm] : 1257.61
; total filament volume [cm^3] : 3024.90
; total filament weight [g] : 0.00
; filament_density: 0
; filament_diameter: 1.75
; max_z_height: 20.00
; filament: 1
; HEADER_BLOCK_END

; CONFIG_BLOCK_START
; filament_colour = #00AE42
; filament_density = 0
; filament_diameter = 1.75
; filament_settings_id = ""
; filament_type = PLA
; initial_layer_print_height = 0.2
; layer_height = 0.2
; nozzle_diameter = 0.4
; printer_model = 
; sparse_infill_density = 20%
; use_relative_e_distances = 1
; CONFIG_BLOCK_END

; THUMBNAIL_BLOCK_START
; thumbnail begin 50x50 528
; iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAYAAAAeP4ixAAABUklEQVR4Ae2Xv4oCMRDGp7ruOO647u
; CuOME/hQqC2ghW1uID2FppLTbb2Vr4Ar7JPlp0itUQ3N2YzUwSmB9MtUX45fsysACCIAiCzvI3g30/
; h2RBgctM3QdlOh9zSApTQh/8Fj1443jzZRJJpFOVQjLpuEjo6QSniYA5warmUyJI1WwfdJOqkadDkQ
; J7OpwSZOmsWzm7RDGbtsettvrLYdtVcJ7yCWRDdbtABYsfAhGc44hPglQE59CnSec0UbDrPSTIRSjS
; 0VNgF/GVTpkEq0gxLjJVAsFEXq2ajUQwEZuq4YO2EQguUpWObQpRiZjpmGs1KZFiXAREREREJIDI59
; u8kYyrxOCL6C/x/z1jE8GzSHFJ59Uq4RlsjL8z7yJkVaoDb86XCHmVbKirWpQplFG1CKJO4RlliyD4
; g3bFXARRV6kOPZ3oq2QDyiSXgiAIAjVXycaIhZg5iDIAAAAASUVORK5CYII=
; thumbnail end
; THUMBNAIL_BLOCK_END

; EXECUTABLE_BLOCK_START
M73 P0 R28
M83 ; use relative distances for extrusion
G1 E-.8 F1800
G1 X88.034 Y88.699 F7200
G1 E.8 F1800
G1 X89.079 Y87.83 E.04034
G1 X90 Y87.643 E.02791
G1 X110 Y87.643 E.59383
G1 E-.8 F1800
; MACHINE_END_GCODE_START
M104 S0 ; turn off temperature
M84     ; disable motors
M73 P100 R0
; EXECUTABLE_BLOCK_END
