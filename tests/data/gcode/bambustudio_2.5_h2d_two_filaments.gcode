; HEADER_BLOCK_START
; BambuStudio 02.05.00.66
; model printing time: 13m 48s; total estimated time: 20m 12s
; total layer number: 25
; total filament length [mm] : 391.43,245.25
; total filament volume [cm^3] : 941.50,589.89
; total filament weight [g] : 1.19,0.74
; model label id: 112,152
; filament_density: 1.26,1.26,1.26,1.04
; filament_diameter: 1.75,1.75,1.75,1.75
; max_z_height: 5.00
; filament: 1,2
; HEADER_BLOCK_END

; CONFIG_BLOCK_START
; curr_bed_type = Textured PEI Plate
; default_print_profile = 0.20mm Standard @BBL H2D
; extruder_colour = #018001;#018001
; filament_colour = #161616;#FFFFFF;#FFFFFF;#D32941
; filament_cost = 24.99,24.99,24.99,24.99
; filament_density = 1.26,1.26,1.26,1.04
; filament_diameter = 1.75,1.75,1.75,1.75
; filament_ids = GFA00;GFA00;GFA00;GFB00
; filament_settings_id = "Bambu PLA Basic @BBL H2D";"Bambu PLA Basic @BBL H2D";"Bambu PLA Basic @BBL H2D";"Bambu ABS @BBL H2D"
; filament_type = PLA;PLA;PLA;ABS
; filament_vendor = "Bambu Lab";"Bambu Lab";"Bambu Lab";"Bambu Lab"
; initial_layer_print_height = 0.2
; layer_height = 0.2
; nozzle_diameter = 0.4,0.4
; print_settings_id = 0.20mm Standard @BBL H2D
; printer_model = Bambu Lab H2D
; printer_settings_id = Bambu Lab H2D 0.4 nozzle
; sparse_infill_density = 15%
; CONFIG_BLOCK_END

; EXECUTABLE_BLOCK_START
M83
G1 X100 Y100 F12000
G1 X120 Y100 E.8
T1
G1 X120 Y120 E.8
; EXECUTABLE_BLOCK_END
