"""GLSL (3.3 core) of the viewer: the model, the ground grid and the background gradient.

The model is lit like the CPU thumbnails (core.render.thumbnail): in linear light, a key light from the upper
left, a weaker fill from the right, ambient and a Blinn highlight, lit on whichever side faces the camera
(gl_FrontFacing), so meshes with flipped or inconsistent winding look right too. A little light from below
("sky and ground") keeps undersides from going flat.

Flat shading takes each triangle's normal from the screen-space derivatives of its position: the mesh needs
no normal per triangle, so its corners are shared vertices, drawn indexed. That normal always faces the
camera, as the flipped one of smooth shading does.
"""

from __future__ import annotations

MESH_VERTEX = """
#version 330 core
layout(location = 0) in vec3 position;
layout(location = 1) in vec4 normal;  // smooth; unused in flat shading
uniform mat4 model_view;
uniform mat4 projection;
out vec3 view_position;
out vec3 view_normal;
void main() {
    vec4 eye = model_view * vec4(position, 1.0);
    view_position = eye.xyz;
    view_normal = mat3(model_view) * normal.xyz;
    gl_Position = projection * eye;
}
"""

MESH_FRAGMENT = """
#version 330 core
in vec3 view_position;
in vec3 view_normal;
uniform vec3 base_color;  // linear RGB
uniform vec3 view_up;  // the world's up (+Z) in view space
uniform bool use_smooth;
out vec4 frag_color;

const vec3 KEY = normalize(vec3(-0.55, 0.75, 0.35));  // view space: x right, y up, z towards the viewer
const vec3 FILL = normalize(vec3(0.6, 0.1, 0.8));
const float AMBIENT = 0.30, KEY_STRENGTH = 0.95, FILL_STRENGTH = 0.23;
const float SPECULAR = 0.30, SHININESS = 24.0, FULL_LIGHT = 1.3, RIM = 0.12;

void main() {
    vec3 n = normalize(cross(dFdx(view_position), dFdy(view_position)));  // the triangle's plane
    if (use_smooth) {
        n = normalize(view_normal);
        if (!gl_FrontFacing) n = -n;
    }
    vec3 to_eye = normalize(-view_position);
    // Ambient a little stronger from the sky than from the ground, and a faint rim at the silhouette, so
    // that shapes read in any view (the thumbnails have only one view to care about).
    float light = AMBIENT * mix(0.75, 1.15, 0.5 + 0.5 * dot(n, view_up));
    light += RIM * pow(1.0 - max(dot(n, to_eye), 0.0), 3.0);
    light += KEY_STRENGTH * max(dot(n, KEY), 0.0);
    light += FILL_STRENGTH * max(dot(n, FILL), 0.0);
    light += SPECULAR * pow(max(dot(n, normalize(KEY + to_eye)), 0.0), SHININESS);
    float brightness = light / FULL_LIGHT;
    // As the thumbnails' palette: the colour times the light, lifting towards white at the brightest.
    vec3 linear = base_color * brightness * 1.1 + vec3(max(brightness - 0.88, 0.0) * 0.7);
    frag_color = vec4(pow(clamp(linear, 0.0, 1.0), vec3(1.0 / 2.2)), 1.0);
}
"""

GRID_VERTEX = """
#version 330 core
layout(location = 0) in vec4 point;  // x, y, z, weight (1 on major lines)
uniform mat4 model_view;
uniform mat4 projection;
out vec2 plane;
out float weight;
void main() {
    plane = point.xy;
    weight = point.w;
    gl_Position = projection * model_view * vec4(point.xyz, 1.0);
}
"""

GRID_FRAGMENT = """
#version 330 core
in vec2 plane;
in float weight;
uniform vec2 centre;
uniform float half_width;
uniform vec4 color;  // sRGB, alpha for minor lines
out vec4 frag_color;
void main() {
    float fade = 1.0 - smoothstep(0.55, 1.0, length(plane - centre) / half_width);
    frag_color = vec4(color.rgb, color.a * mix(1.0, 2.2, weight) * fade);
}
"""

BACKGROUND_VERTEX = """
#version 330 core
out float height;  // 0 at the bottom of the view, 1 at the top
void main() {
    // One triangle covering the view, from the vertex index alone (no buffer).
    vec2 corner = vec2(float((gl_VertexID & 1) << 2) - 1.0, float((gl_VertexID & 2) << 1) - 1.0);
    height = corner.y * 0.5 + 0.5;
    gl_Position = vec4(corner, 0.999, 1.0);
}
"""

BACKGROUND_FRAGMENT = """
#version 330 core
in float height;
uniform vec3 top;
uniform vec3 bottom;
out vec4 frag_color;
void main() {
    frag_color = vec4(mix(bottom, top, clamp(height, 0.0, 1.0)), 1.0);
}
"""

# A soft shadow under the model's footprint (a rounded rectangle fading out), so that it sits on the grid.
# Four corners from the vertex index alone, drawn as a triangle strip.
SHADOW_VERTEX = """
#version 330 core
uniform mat4 model_view;
uniform mat4 projection;
uniform vec2 half_size;  // of the footprint
uniform float soft;  // the width of the fade
uniform float floor_z;
out vec2 local;
void main() {
    vec2 corner = vec2(float(gl_VertexID & 1) * 2.0 - 1.0, float(gl_VertexID >> 1) * 2.0 - 1.0);
    local = corner * (half_size + soft);
    gl_Position = projection * model_view * vec4(local, floor_z, 1.0);
}
"""

SHADOW_FRAGMENT = """
#version 330 core
in vec2 local;
uniform vec2 half_size;
uniform float soft;
uniform float strength;
out vec4 frag_color;
void main() {
    float radius = 0.5 * min(half_size.x, half_size.y);
    vec2 q = abs(local) - half_size * 0.85 + radius;
    float outside = length(max(q, 0.0)) + min(max(q.x, q.y), 0.0) - radius;
    frag_color = vec4(0.0, 0.0, 0.0, strength * (1.0 - smoothstep(-soft, soft, outside)));
}
"""
