#!/usr/bin/env python3
"""mbtiles.py: small MBTiles files for the basemap tests, and a reader of
PNG tiles.

  mbtiles.py make OUT [--zooms 0-2] [--defect none|not-image|out-of-range|vector|no-tiles] [--shift N]
      every tile of zooms is a solid 256x256 PNG whose colour says where
      it is: red = 40*z (+ N), green = 40*x, blue = 40*y (XYZ scheme, y from
      the north), stored as MBTiles does (TMS rows, from the south).
  mbtiles.py pixel FILE X Y
      prints the R G B (and A) of pixel X, Y of an 8-bit RGB (or RGBA) PNG.
  mbtiles.py where LON LAT Z
      prints the XYZ tile x, y holding a point at zoom Z and the point's
      pixel column and row in it.
  mbtiles.py quadrants OUT.ppm SIZE
      a SIZE x SIZE image in four quadrants, north-west 200 30 30,
      north-east 30 200 30, south-west 30 30 200, south-east 250 250 0
      (for gdal_translate to georeference as a GeoTIFF).
"""
import math
import sqlite3
import struct
import sys
import zlib


def png(width, height, rgb):
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
                + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    row = b'\0' + bytes(rgb) * width
    return (b'\x89PNG\r\n\x1a\n'
            + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(row * height))
            + chunk(b'IEND', b''))


def make(out, zooms, defect, shift=0):
    db = sqlite3.connect(out)
    db.execute('CREATE TABLE metadata (name TEXT, value TEXT)')
    db.execute('CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER,'
               ' tile_row INTEGER, tile_data BLOB)')
    db.executemany('INSERT INTO metadata VALUES (?, ?)',
                   [('name', 'test colours'), ('format', 'pbf' if defect == 'vector' else 'png')])
    lo, hi = (int(v) for v in zooms.split('-'))
    for z in range(lo, hi + 1) if defect != 'no-tiles' else []:
        n = 1 << z
        for x in range(n):
            for y in range(n):
                data = png(256, 256, ((40 * z + shift) % 256, 40 * x, 40 * y))
                if defect == 'not-image' and (z, x, y) == (hi, n - 1, n - 1):
                    data = b'<html>not a tile</html>'
                row = n - 1 - y
                if defect == 'out-of-range' and (z, x, y) == (hi, 0, 0):
                    row = n
                db.execute('INSERT INTO tiles VALUES (?, ?, ?, ?)', (z, x, row, data))
    db.commit()
    db.close()


def pixel(path, x, y):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, width = 8, b'', 0
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            width, height, depth, ctype = struct.unpack('>IIBB', body[:10])
            assert depth == 8 and ctype in (2, 6), 'only 8-bit RGB or RGBA'
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    for r in range(y + 1):
        f = raw[r * (stride + 1)]
        line = bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        prev = line
    print(*prev[x * bpp:x * bpp + bpp])


QUADRANTS = ((200, 30, 30), (30, 200, 30), (30, 30, 200), (250, 250, 0))


def quadrants(out, size):
    half = size // 2
    with open(out, 'wb') as f:
        f.write(b'P6 %d %d 255\n' % (size, size))
        for r in range(size):
            left, right = QUADRANTS[2 * (r >= half)], QUADRANTS[2 * (r >= half) + 1]
            f.write(bytes(left) * half + bytes(right) * (size - half))


if __name__ == '__main__':
    if sys.argv[1] == 'where':
        lon, lat, z = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
        fx = (lon + 180) / 360 * (1 << z) * 256
        fy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * (1 << z) * 256
        print(int(fx) // 256, int(fy) // 256, int(fx) % 256, int(fy) % 256)
    elif sys.argv[1] == 'quadrants':
        quadrants(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == 'make':
        opts = dict(zip(sys.argv[3::2], sys.argv[4::2]))
        make(sys.argv[2], opts.get('--zooms', '0-2'), opts.get('--defect', 'none'), int(opts.get('--shift', '0')))
    else:
        pixel(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
