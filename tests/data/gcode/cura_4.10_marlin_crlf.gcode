;FLAVOR:Marlin
;TIME:49
;Filament used: 0.413716m
;Layer height: 1
;MINX:-38.5
;MINY:-38.5
;MINZ:1.3
;MAXX:38.5
;MAXY:38.5
;MAXZ:1.3
;Generated with Cura_SteamEngine 4.10.0
M82 ;absolute extrusion mode

G92 E0
G92 E0
;LAYER_COUNT:1
;LAYER:0
M107
;MESH:hex.stl
G0 F360 X15.947 Y-38.5 Z1.3
;TYPE:WALL-OUTER
G1 X38.5 Y-15.947 E51.71517
G1 X38.5 Y15.947 E103.42911
G1 X15.947 Y38.5 E155.14428
G1 X-15.947 Y38.5 E206.85822
G1 X-38.5 Y15.947 E258.57338
G1 X-38.5 Y-15.947 E310.28732
G1 X-15.947 Y-38.5 E362.00249
G1 X15.947 Y-38.5 E413.71643
G0 X16.088 Y-38.359
;TIME_ELAPSED:49.650425

M82 ;absolute extrusion mode
;End of Gcode
;SETTING_3 {"global_quality": "[general]\\nversion = 4\\nname = Cura_Profil_dEBA
;SETTING_3 M\\ndefinition = custom\\n\\n[metadata]\\nsetting_version = 17\\nqual
;SETTING_3 ity_type = normal\\ntype = quality_changes\\n\\n[values]\\nadhesion_t
;SETTING_3 ype = none\\nlayer_height = 1\\nlayer_height_0 = 1.3\\n\\n", "extrude
;SETTING_3 r_quality": ["[general]\\nversion = 4\\nname = Cura_Profil_dEBAM\\n\\n[v
;SETTING_3 alues]\\ninfill_pattern = zigzag\\ninfill_sparse_density = 0\\nline_wi
;SETTING_3 dth = 3\\n\\n"]}
