;START_OF_HEADER
;HEADER_VERSION:0.1
;FLAVOR:Griffin
;GENERATOR.NAME:Cura_SteamEngine
;GENERATOR.VERSION:4.5.0
;GENERATOR.BUILD_DATE:2020-02-25
;TARGET_MACHINE.NAME:Ultimaker 3
;EXTRUDER_TRAIN.0.INITIAL_TEMPERATURE:235
;EXTRUDER_TRAIN.0.MATERIAL.VOLUME_USED:2911
;EXTRUDER_TRAIN.0.MATERIAL.GUID:03f24266-0291-43c2-a6da-5211892a2699
;EXTRUDER_TRAIN.0.NOZZLE.DIAMETER:0.8
;EXTRUDER_TRAIN.0.NOZZLE.NAME:AA 0.8
;BUILD_PLATE.TYPE:glass
;BUILD_PLATE.INITIAL_TEMPERATURE:60
;PRINT.TIME:480
;PRINT.GROUPS:1
;PRINT.SIZE.MIN.X:9
;PRINT.SIZE.MIN.Y:6
;PRINT.SIZE.MIN.Z:0.4
;PRINT.SIZE.MAX.X:138.45
;PRINT.SIZE.MAX.Y:129.45
;PRINT.SIZE.MAX.Z:2.8
;END_OF_HEADER
;Generated with Cura_SteamEngine 4.5.0
T0

;End of Gcode
;SETTING_3 {"extruder_quality": ["[general]\\nversion = 4\\nname = Sprint #2\\nd
;SETTING_3 efinition = ultimaker3\\n\\n[metadata]\\ntype = quality_changes\\nqua
;SETTING_3 lity_type = superdraft\\nposition = 0\\n\\n[values]\\nbrim_gap = 1\\n
;SETTING_3 infill_sparse_density = 10\\nxy_offset_layer_0 = -0.8\\n\\n", "[gener
;SETTING_3 al]\\nversion = 4\\nname = Sprint #2\\ndefinition = ultimaker3\\n\\n[
;SETTING_3 metadata]\\ntype = quality_changes\\nquality_type = superdraft\\nposi
;SETTING_3 tion = 1\\n\\n[values]\\ninfill_sparse_density = 10\\n\\n"], "global_
;SETTING_3 quality": "[general]\\nversion = 4\\nname = Sprint #2\\ndefinition = 
;SETTING_3 ultimaker3\\n\\n[metadata]\\ntype = quality_changes\\nquality_type = 
;SETTING_3 superdraft\\n\\n[values]\\n\\n"}
