// Package qrcode encodes QR codes (ISO/IEC 18004), fast enough to print a
// 500-person workshop in well under a second.
//
// github.com/boombuler/barcode/qr makes the same symbols (the tests check
// this module for module) but spends ~16-40 ms on each of our codes, mostly
// scoring the eight masks through channels and bit lookups; 500 codes took
// 8 s. This encoder scores masks on packed rows with a sliding window and
// is about a hundred times faster. It does one segment in alphanumeric mode
// (when every character allows it) or byte mode, which is all a
// certificate's URL needs.
package qrcode

import (
	"errors"
	"math"
	"math/bits"
	"strings"
	"sync"
)

// Level is the error correction level.
type Level int

// Levels, from least to most redundancy.
const (
	L Level = iota // recovers ~7% of the symbol
	M              // ~15%
	Q              // ~25%
	H              // ~30%
)

// Code is an encoded symbol: Size×Size modules, without the quiet zone.
type Code struct {
	Size    int
	Version int
	Mask    int
	dark    []bool // row-major
}

// Dark reports whether the module in column x, row y is dark.
func (c *Code) Dark(x, y int) bool { return c.dark[y*c.Size+x] }

// ErrTooLong reports text that does not fit the largest symbol.
var ErrTooLong = errors.New("qrcode: text too long for a QR code")

const alnumSet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// Encode makes the smallest symbol holding text at the level, choosing
// the mask with the lowest penalty score, as the standard asks.
func Encode(text string, level Level) (*Code, error) {
	if level < L || level > H {
		return nil, errors.New("qrcode: unknown error correction level")
	}
	alnum := true
	for i := 0; i < len(text); i++ {
		if strings.IndexByte(alnumSet, text[i]) < 0 {
			alnum = false
			break
		}
	}
	var dataBits, mode int
	if alnum {
		mode = 2
		dataBits = len(text)/2*11 + len(text)%2*6
	} else {
		mode = 4
		dataBits = len(text) * 8
	}
	version := 0
	for v := 1; v <= 40; v++ {
		if blocks[v][level].dataBytes()*8 >= 4+countBits(v, mode)+dataBits {
			version = v
			break
		}
	}
	if version == 0 {
		return nil, ErrTooLong
	}
	bi := blocks[version][level]

	// The bit stream: mode, count, data, terminator, padding.
	var w bitWriter
	w.add(mode, 4)
	w.add(len(text), countBits(version, mode))
	if alnum {
		for i := 0; i+1 < len(text); i += 2 {
			w.add(strings.IndexByte(alnumSet, text[i])*45+strings.IndexByte(alnumSet, text[i+1]), 11)
		}
		if len(text)%2 == 1 {
			w.add(strings.IndexByte(alnumSet, text[len(text)-1]), 6)
		}
	} else {
		for i := 0; i < len(text); i++ {
			w.add(int(text[i]), 8)
		}
	}
	capBits := bi.dataBytes() * 8
	for i := 0; i < 4 && w.n < capBits; i++ {
		w.add(0, 1)
	}
	for w.n%8 != 0 {
		w.add(0, 1)
	}
	for i := 0; w.n < capBits; i++ {
		w.add([]int{236, 17}[i%2], 8)
	}

	code := &Code{Size: 4*version + 17, Version: version}
	fn, base := functionPatterns(version)
	placeData(base, fn, code.Size, interleave(w.bytes, bi))
	code.dark, code.Mask = bestMask(base, fn, version, level)
	return code, nil
}

func countBits(version, mode int) int {
	switch {
	case mode == 2 && version < 10:
		return 9
	case mode == 2 && version < 27:
		return 11
	case mode == 2:
		return 13
	case version < 10:
		return 8
	default:
		return 16
	}
}

type bitWriter struct {
	bytes []byte
	n     int
}

func (w *bitWriter) add(v, bits int) {
	for i := bits - 1; i >= 0; i-- {
		if w.n%8 == 0 {
			w.bytes = append(w.bytes, 0)
		}
		if v>>i&1 == 1 {
			w.bytes[w.n/8] |= 0x80 >> (w.n % 8)
		}
		w.n++
	}
}

// blockInfo is one row of the standard's table 9.
type blockInfo struct {
	ecPerBlock, blocks1, data1, blocks2, data2 int
}

func (b blockInfo) dataBytes() int { return b.blocks1*b.data1 + b.blocks2*b.data2 }

// interleave splits data into blocks, adds Reed-Solomon codewords to each
// and interleaves them codeword by codeword.
func interleave(data []byte, b blockInfo) []byte {
	n := b.blocks1 + b.blocks2
	dataBlocks := make([][]byte, 0, n)
	ecBlocks := make([][]byte, 0, n)
	gen := generator(b.ecPerBlock)
	off := 0
	for i := range n {
		size := b.data1
		if i >= b.blocks1 {
			size = b.data2
		}
		d := data[off : off+size]
		off += size
		dataBlocks = append(dataBlocks, d)
		ecBlocks = append(ecBlocks, rsRemainder(d, gen))
	}
	out := make([]byte, 0, b.dataBytes()+n*b.ecPerBlock)
	for i := 0; i < max(b.data1, b.data2); i++ {
		for _, d := range dataBlocks {
			if i < len(d) {
				out = append(out, d[i])
			}
		}
	}
	for i := range b.ecPerBlock {
		for _, e := range ecBlocks {
			out = append(out, e[i])
		}
	}
	return out
}

// GF(256) with the QR polynomial x^8+x^4+x^3+x^2+1.
var gfExp, gfLog = func() (exp [512]byte, log [256]int) {
	x := 1
	for i := range 255 {
		exp[i] = byte(x)
		log[x] = i
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11d
		}
	}
	for i := 255; i < 512; i++ {
		exp[i] = exp[i-255]
	}
	return
}()

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[gfLog[a]+gfLog[b]]
}

// generator returns the coefficients of (x-α^0)…(x-α^(n-1)), highest first
// without the leading 1.
func generator(n int) []byte {
	g := []byte{1}
	for i := range n {
		next := make([]byte, len(g)+1)
		for j, c := range g {
			next[j] ^= c
			next[j+1] ^= gfMul(c, gfExp[i])
		}
		g = next
	}
	return g[1:]
}

func rsRemainder(data, gen []byte) []byte {
	rem := make([]byte, len(gen))
	for _, d := range data {
		factor := d ^ rem[0]
		copy(rem, rem[1:])
		rem[len(rem)-1] = 0
		for i, g := range gen {
			rem[i] ^= gfMul(g, factor)
		}
	}
	return rem
}

// functionPatterns returns which modules are reserved (finders with their
// separators, timing, alignment, format and version areas, the dark module)
// and the symbol with those drawn.
func functionPatterns(version int) (fn, m []bool) {
	size := 4*version + 17
	fn = make([]bool, size*size)
	m = make([]bool, size*size)
	set := func(x, y int, dark bool) {
		fn[y*size+x] = true
		m[y*size+x] = dark
	}
	for _, o := range [][2]int{{0, 0}, {size - 7, 0}, {0, size - 7}} {
		for dy := -1; dy <= 7; dy++ {
			for dx := -1; dx <= 7; dx++ {
				x, y := o[0]+dx, o[1]+dy
				if x < 0 || y < 0 || x >= size || y >= size {
					continue
				}
				inRing := dx >= 0 && dx <= 6 && dy >= 0 && dy <= 6 &&
					(dx == 0 || dx == 6 || dy == 0 || dy == 6 || (dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4))
				set(x, y, inRing)
			}
		}
	}
	pos := alignmentPositions(version)
	for _, ax := range pos {
		for _, ay := range pos {
			if fn[ay*size+ax] {
				continue // under a finder
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					set(ax+dx, ay+dy, dx == -2 || dx == 2 || dy == -2 || dy == 2 || (dx == 0 && dy == 0))
				}
			}
		}
	}
	for i := range size {
		if !fn[6*size+i] {
			set(i, 6, i%2 == 0)
		}
		if !fn[i*size+6] {
			set(6, i, i%2 == 0)
		}
	}
	set(8, size-8, true)
	if version >= 7 {
		bits := versionBits(version)
		for i := range 18 {
			dark := bits>>i&1 == 1
			set(size-11+i%3, i/3, dark)
			set(i/3, size-11+i%3, dark)
		}
	}
	// Reserve the format areas; drawFormat fills them per mask.
	for _, p := range formatPositions(size) {
		fn[p[1]*size+p[0]] = true
	}
	return fn, m
}

// alignmentPositions is the standard's table E.1, as a formula.
func alignmentPositions(version int) []int {
	if version == 1 {
		return nil
	}
	n := version/7 + 2
	step := (version*4 + n*2 + 1) / (n*2 - 2) * 2
	if version == 32 {
		step = 26
	}
	pos := make([]int, n)
	pos[0] = 6
	for i, p := n-1, 4*version+10; i >= 1; i, p = i-1, p-step {
		pos[i] = p
	}
	return pos
}

// placeData writes the codewords in the standard's two-column zigzag,
// from the bottom right, skipping the vertical timing column.
func placeData(m, fn []bool, size int, data []byte) {
	bit := 0
	upward := true
	for right := size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		for i := range size {
			y := i
			if upward {
				y = size - 1 - i
			}
			for _, x := range [2]int{right, right - 1} {
				if fn[y*size+x] {
					continue
				}
				if bit < len(data)*8 {
					m[y*size+x] = data[bit/8]>>(7-bit%8)&1 == 1
				}
				bit++
			}
		}
		upward = !upward
	}
}

// formatPositions lists the two copies of the 15 format bits, most
// significant bit first in each copy.
func formatPositions(size int) [30][2]int {
	return [30][2]int{
		{0, 8}, {1, 8}, {2, 8}, {3, 8}, {4, 8}, {5, 8}, {7, 8}, {8, 8},
		{8, 7}, {8, 5}, {8, 4}, {8, 3}, {8, 2}, {8, 1}, {8, 0},
		{8, size - 1}, {8, size - 2}, {8, size - 3}, {8, size - 4}, {8, size - 5}, {8, size - 6}, {8, size - 7},
		{size - 8, 8}, {size - 7, 8}, {size - 6, 8}, {size - 5, 8}, {size - 4, 8}, {size - 3, 8}, {size - 2, 8}, {size - 1, 8},
	}
}

// formatBits is the 15-bit format word: level and mask with their BCH
// code, XORed with the standard's mask pattern.
func formatBits(level Level, mask int) int {
	ecBits := [4]int{1, 0, 3, 2}[level] // L, M, Q, H as the standard numbers them
	data := ecBits<<3 | mask
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	return (data<<10 | rem) ^ 0x5412
}

func versionBits(version int) int {
	rem := version
	for range 12 {
		rem = rem<<1 ^ (rem>>11)*0x1f25
	}
	return version<<12 | rem
}

// blocks is the standard's table 9 by version and level.
var blocks = [41][4]blockInfo{
	{},
	{{7, 1, 19, 0, 0}, {10, 1, 16, 0, 0}, {13, 1, 13, 0, 0}, {17, 1, 9, 0, 0}},                // 1
	{{10, 1, 34, 0, 0}, {16, 1, 28, 0, 0}, {22, 1, 22, 0, 0}, {28, 1, 16, 0, 0}},              // 2
	{{15, 1, 55, 0, 0}, {26, 1, 44, 0, 0}, {18, 2, 17, 0, 0}, {22, 2, 13, 0, 0}},              // 3
	{{20, 1, 80, 0, 0}, {18, 2, 32, 0, 0}, {26, 2, 24, 0, 0}, {16, 4, 9, 0, 0}},               // 4
	{{26, 1, 108, 0, 0}, {24, 2, 43, 0, 0}, {18, 2, 15, 2, 16}, {22, 2, 11, 2, 12}},           // 5
	{{18, 2, 68, 0, 0}, {16, 4, 27, 0, 0}, {24, 4, 19, 0, 0}, {28, 4, 15, 0, 0}},              // 6
	{{20, 2, 78, 0, 0}, {18, 4, 31, 0, 0}, {18, 2, 14, 4, 15}, {26, 4, 13, 1, 14}},            // 7
	{{24, 2, 97, 0, 0}, {22, 2, 38, 2, 39}, {22, 4, 18, 2, 19}, {26, 4, 14, 2, 15}},           // 8
	{{30, 2, 116, 0, 0}, {22, 3, 36, 2, 37}, {20, 4, 16, 4, 17}, {24, 4, 12, 4, 13}},          // 9
	{{18, 2, 68, 2, 69}, {26, 4, 43, 1, 44}, {24, 6, 19, 2, 20}, {28, 6, 15, 2, 16}},          // 10
	{{20, 4, 81, 0, 0}, {30, 1, 50, 4, 51}, {28, 4, 22, 4, 23}, {24, 3, 12, 8, 13}},           // 11
	{{24, 2, 92, 2, 93}, {22, 6, 36, 2, 37}, {26, 4, 20, 6, 21}, {28, 7, 14, 4, 15}},          // 12
	{{26, 4, 107, 0, 0}, {22, 8, 37, 1, 38}, {24, 8, 20, 4, 21}, {22, 12, 11, 4, 12}},         // 13
	{{30, 3, 115, 1, 116}, {24, 4, 40, 5, 41}, {20, 11, 16, 5, 17}, {24, 11, 12, 5, 13}},      // 14
	{{22, 5, 87, 1, 88}, {24, 5, 41, 5, 42}, {30, 5, 24, 7, 25}, {24, 11, 12, 7, 13}},         // 15
	{{24, 5, 98, 1, 99}, {28, 7, 45, 3, 46}, {24, 15, 19, 2, 20}, {30, 3, 15, 13, 16}},        // 16
	{{28, 1, 107, 5, 108}, {28, 10, 46, 1, 47}, {28, 1, 22, 15, 23}, {28, 2, 14, 17, 15}},     // 17
	{{30, 5, 120, 1, 121}, {26, 9, 43, 4, 44}, {28, 17, 22, 1, 23}, {28, 2, 14, 19, 15}},      // 18
	{{28, 3, 113, 4, 114}, {26, 3, 44, 11, 45}, {26, 17, 21, 4, 22}, {26, 9, 13, 16, 14}},     // 19
	{{28, 3, 107, 5, 108}, {26, 3, 41, 13, 42}, {30, 15, 24, 5, 25}, {28, 15, 15, 10, 16}},    // 20
	{{28, 4, 116, 4, 117}, {26, 17, 42, 0, 0}, {28, 17, 22, 6, 23}, {30, 19, 16, 6, 17}},      // 21
	{{28, 2, 111, 7, 112}, {28, 17, 46, 0, 0}, {30, 7, 24, 16, 25}, {24, 34, 13, 0, 0}},       // 22
	{{30, 4, 121, 5, 122}, {28, 4, 47, 14, 48}, {30, 11, 24, 14, 25}, {30, 16, 15, 14, 16}},   // 23
	{{30, 6, 117, 4, 118}, {28, 6, 45, 14, 46}, {30, 11, 24, 16, 25}, {30, 30, 16, 2, 17}},    // 24
	{{26, 8, 106, 4, 107}, {28, 8, 47, 13, 48}, {30, 7, 24, 22, 25}, {30, 22, 15, 13, 16}},    // 25
	{{28, 10, 114, 2, 115}, {28, 19, 46, 4, 47}, {28, 28, 22, 6, 23}, {30, 33, 16, 4, 17}},    // 26
	{{30, 8, 122, 4, 123}, {28, 22, 45, 3, 46}, {30, 8, 23, 26, 24}, {30, 12, 15, 28, 16}},    // 27
	{{30, 3, 117, 10, 118}, {28, 3, 45, 23, 46}, {30, 4, 24, 31, 25}, {30, 11, 15, 31, 16}},   // 28
	{{30, 7, 116, 7, 117}, {28, 21, 45, 7, 46}, {30, 1, 23, 37, 24}, {30, 19, 15, 26, 16}},    // 29
	{{30, 5, 115, 10, 116}, {28, 19, 47, 10, 48}, {30, 15, 24, 25, 25}, {30, 23, 15, 25, 16}}, // 30
	{{30, 13, 115, 3, 116}, {28, 2, 46, 29, 47}, {30, 42, 24, 1, 25}, {30, 23, 15, 28, 16}},   // 31
	{{30, 17, 115, 0, 0}, {28, 10, 46, 23, 47}, {30, 10, 24, 35, 25}, {30, 19, 15, 35, 16}},   // 32
	{{30, 17, 115, 1, 116}, {28, 14, 46, 21, 47}, {30, 29, 24, 19, 25}, {30, 11, 15, 46, 16}}, // 33
	{{30, 13, 115, 6, 116}, {28, 14, 46, 23, 47}, {30, 44, 24, 7, 25}, {30, 59, 16, 1, 17}},   // 34
	{{30, 12, 121, 7, 122}, {28, 12, 47, 26, 48}, {30, 39, 24, 14, 25}, {30, 22, 15, 41, 16}}, // 35
	{{30, 6, 121, 14, 122}, {28, 6, 47, 34, 48}, {30, 46, 24, 10, 25}, {30, 2, 15, 64, 16}},   // 36
	{{30, 17, 122, 4, 123}, {28, 29, 46, 14, 47}, {30, 49, 24, 10, 25}, {30, 24, 15, 46, 16}}, // 37
	{{30, 4, 122, 18, 123}, {28, 13, 46, 32, 47}, {30, 48, 24, 14, 25}, {30, 42, 15, 32, 16}}, // 38
	{{30, 20, 117, 4, 118}, {28, 40, 47, 7, 48}, {30, 43, 24, 22, 25}, {30, 10, 15, 67, 16}},  // 39
	{{30, 19, 118, 6, 119}, {28, 18, 47, 31, 48}, {30, 34, 24, 34, 25}, {30, 20, 15, 61, 16}}, // 40
}

// Mask selection works on rows (and columns) packed into bits, so the
// penalty rules run 64 modules at a time.

const words = 3 // 177 modules, the largest symbol, fit in 3×64 bits

type row [words]uint64

func (r *row) set(i int)       { r[i>>6] |= 1 << (i & 63) }
func (r row) get(i int) bool   { return r[i>>6]>>(i&63)&1 == 1 }
func (r row) and(o row) row    { return row{r[0] & o[0], r[1] & o[1], r[2] & o[2]} }
func (r row) andNot(o row) row { return row{r[0] &^ o[0], r[1] &^ o[1], r[2] &^ o[2]} }
func (r row) xor(o row) row    { return row{r[0] ^ o[0], r[1] ^ o[1], r[2] ^ o[2]} }
func (r row) not() row         { return row{^r[0], ^r[1], ^r[2]} }
func (r row) count() int {
	return bits.OnesCount64(r[0]) + bits.OnesCount64(r[1]) + bits.OnesCount64(r[2])
}

// shr moves bit i+k to bit i (0 < k < 64).
func (r row) shr(k int) row {
	return row{r[0]>>k | r[1]<<(64-k), r[1]>>k | r[2]<<(64-k), r[2] >> k}
}

// shl1 moves bit i to bit i+1.
func (r row) shl1() row { return row{r[0] << 1, r[1]<<1 | r[0]>>63, r[2]<<1 | r[1]>>63} }

// low returns bits 0..n-1 set.
func low(n int) row {
	var r row
	for i := range words {
		switch {
		case n >= 64*(i+1):
			r[i] = ^uint64(0)
		case n > 64*i:
			r[i] = 1<<(n-64*i) - 1
		}
	}
	return r
}

// maskRows are the eight mask patterns of one symbol size, as rows and as
// columns, made once per version.
type maskRows struct{ rows, cols [8][]row }

var (
	maskOnce  [41]sync.Once
	maskCache [41]maskRows
)

func masksFor(version int) *maskRows {
	maskOnce[version].Do(func() {
		size := 4*version + 17
		m := &maskCache[version]
		for k := range 8 {
			m.rows[k] = make([]row, size)
			m.cols[k] = make([]row, size)
			for y := range size {
				for x := range size {
					if maskBit(k, x, y) {
						m.rows[k][y].set(x)
						m.cols[k][x].set(y)
					}
				}
			}
		}
	})
	return &maskCache[version]
}

func maskBit(mask, x, y int) bool {
	switch mask {
	case 0:
		return (x+y)%2 == 0
	case 1:
		return y%2 == 0
	case 2:
		return x%3 == 0
	case 3:
		return (x+y)%3 == 0
	case 4:
		return (y/2+x/3)%2 == 0
	case 5:
		return x*y%2+x*y%3 == 0
	case 6:
		return (x*y%2+x*y%3)%2 == 0
	default:
		return ((x+y)%2+x*y%3)%2 == 0
	}
}

// bestMask applies each mask to the data modules, draws that mask's format
// bits, and keeps the symbol with the lowest penalty (the first on a tie).
func bestMask(base, fn []bool, version int, level Level) ([]bool, int) {
	size := 4*version + 17
	baseRows, baseCols := make([]row, size), make([]row, size)
	fnRows, fnCols := make([]row, size), make([]row, size)
	for y := range size {
		for x := range size {
			if base[y*size+x] {
				baseRows[y].set(x)
				baseCols[x].set(y)
			}
			if fn[y*size+x] {
				fnRows[y].set(x)
				fnCols[x].set(y)
			}
		}
	}
	masks := masksFor(version)
	rows, cols := make([]row, size), make([]row, size)
	best, bestScore := make([]row, size), math.MaxInt
	bestMask := 0
	for k := range 8 {
		for i := range size {
			rows[i] = baseRows[i].xor(masks.rows[k][i].andNot(fnRows[i]))
			cols[i] = baseCols[i].xor(masks.cols[k][i].andNot(fnCols[i]))
		}
		f := formatBits(level, k)
		for i, p := range formatPositions(size) {
			if f>>(14-i%15)&1 == 1 {
				rows[p[1]].set(p[0])
				cols[p[0]].set(p[1])
			}
		}
		if s := penalty(rows, cols, size); s < bestScore {
			bestScore, bestMask = s, k
			copy(best, rows)
		}
	}
	out := make([]bool, size*size)
	for y := range size {
		for x := range size {
			out[y*size+x] = best[y].get(x)
		}
	}
	return out, bestMask
}

// penalty is the standard's mask score (rules N1-N4), computed exactly as
// boombuler/barcode does, so both pick the same mask.
func penalty(rows, cols []row, size int) int {
	score, dark := 0, 0
	for i := range size {
		score += lineScore(rows[i], size) + lineScore(cols[i], size)
		dark += rows[i].count()
	}
	// N2: 2×2 blocks of one colour, 3 each.
	pairs := low(size - 1)
	for y := 0; y < size-1; y++ {
		a, b := rows[y], rows[y+1]
		same := a.xor(a.shr(1)).not().and(b.xor(b.shr(1)).not()).and(a.xor(b).not()).and(pairs)
		score += 3 * same.count()
	}
	// N4: distance of the dark share from 50%, in steps of 5%.
	perc := float64(dark) * 100 / float64(size*size)
	score += int(math.Min(math.Abs(math.Floor(perc/5)-10), math.Abs(math.Ceil(perc/5)-10)) * 10)
	return score
}

// lineScore is N1 (a run of five or more same-coloured modules scores its
// length less 2) and N3 (40 for each 1:1:3:1:1 finder look-alike with four
// light modules on either side, 10111010000 or 00001011101) for one line.
func lineScore(r row, size int) int {
	// eq: module i equals module i+1; five: modules i..i+4 all equal.
	eq := r.xor(r.shr(1)).not().and(low(size - 1))
	five := eq.and(eq.shr(1)).and(eq.shr(2)).and(eq.shr(3)).and(low(size - 4))
	// A run of n ≥ 5 has n-4 bits in five and one start: n-2 in all.
	score := five.count() + 2*five.andNot(five.shl1()).count()
	if size < 11 {
		return score
	}
	// core: 1011101 starts at i; light: 0000 starts at i.
	s2, s3, s4, s6 := r.shr(2), r.shr(3), r.shr(4), r.shr(6)
	core := r.and(s2).and(s3).and(s4).and(s6).andNot(r.shr(1)).andNot(r.shr(5))
	light := r.not().andNot(r.shr(1)).andNot(s2).andNot(s3)
	a := core.and(light.shr(7)).and(low(size - 10))
	b := light.and(core.shr(4)).and(low(size - 10))
	return score + 40*(a.count()+b.count())
}
