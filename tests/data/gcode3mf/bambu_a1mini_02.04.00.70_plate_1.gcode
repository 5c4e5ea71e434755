; HEADER_BLOCK_START
; BambuStudio 02.04.00.70
; model printing time: 1m 6s; total estimated time: 9m 3s
; total layer number: 1
; total filament length [mm] : 75.74
; total filament volume [cm^3] : 182.19
; total filament weight [g] : 0.23
; model label id: 171,193,215
; filament_density: 1.24
; filament_diameter: 1.75
; max_z_height: 0.20
; filament: 1
; HEADER_BLOCK_END

; CONFIG_BLOCK_START
; curr_bed_type = Textured PEI Plate
; default_print_profile = 0.20mm Standard @BBL A1M
; extruder_colour = #018001
; filament_colour = #00AE42
; filament_cost = 20
; filament_density = 1.24
; filament_diameter = 1.75
; filament_ids = GFU99
; filament_settings_id = "Generic TPU @BBL A1M -thesis test160"
; filament_type = TPU
; filament_vendor = Generic
; initial_layer_print_height = 0.2
; layer_height = 0.28
; nozzle_diameter = 0.4
; print_settings_id = 0.28mm Extra Draft @BBL A1M
; printer_model = Bambu Lab A1 mini
; printer_settings_id = Bambu Lab A1 mini 0.4 nozzle
; printer_variant = 0.4
; sparse_infill_density = 15%
; sparse_infill_pattern = grid
; wall_loops = 2
; CONFIG_BLOCK_END

; EXECUTABLE_BLOCK_START
M73 P0 R9
M201 X20000 Y20000 Z1500 E5000
M203 X500 Y500 Z30 E30
M204 P20000 R5000 T20000
M205 X9.00 Y9.00 Z5.00 E3.00
; FEATURE: Custom
;===== machine: A1 mini =========================
M1002 set_filament_type:TPU
M104 S170
M140 S30
; MACHINE_START_GCODE_END
; filament start gcode
G90
G21
M83 ; use relative distances for extrusion
; CHANGE_LAYER
; Z_HEIGHT: 0.2
; LAYER_HEIGHT: 0.2
G1 E-.4 F1800
; layer num/total_layer_count: 1/1
M73 L1
M991 S0 P0 ;notify layer change
M106 S0
; OBJECT_ID: 215
G1 X63.133 Y172.971 F42000
G1 Z.2
G1 E.4 F1800
; FEATURE: Outer wall
; LINE_WIDTH: 0.5
G1 F2100.29
M204 S500
G1 X63.133 Y164.471 E0
G1 X33.633 Y164.471 E0
