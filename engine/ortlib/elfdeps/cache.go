package elfdeps

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// DefaultCacheFile is glibc's loader cache, written by ldconfig.
const DefaultCacheFile = "/etc/ld.so.cache"

// cacheMagic starts glibc's loader cache format (glibc ≥ 2.32 writes only
// this one; older glibc may put the "ld.so-1.7.0" format first, which is
// not read here).
const cacheMagic = "glibc-ld.so.cache1.1"

// The cache's layout (glibc's sysdeps/generic/dl-cache.h): a 48-byte
// header (magic, nlibs uint32, len_strings uint32, flags uint8, 3 bytes of
// padding, extension_offset uint32, 3 unused uint32), then nlibs entries of
// 24 bytes (flags int32, key uint32, value uint32, osversion uint32, hwcap
// uint64), key and value being offsets of NUL-terminated strings from the
// start of the file.
const (
	cacheHeaderLen = 48
	cacheEntryLen  = 24
)

// ReadCache reads a loader cache into soname → paths, in the cache's order
// (ld.so takes the first that fits).
func ReadCache(path string) (map[string][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseCache(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseCache parses the bytes of a loader cache.
func ParseCache(data []byte) (map[string][]string, error) {
	if len(data) < cacheHeaderLen || string(data[:len(cacheMagic)]) != cacheMagic {
		return nil, errors.New("not a glibc-ld.so.cache1.1 loader cache")
	}
	n := binary.LittleEndian.Uint32(data[20:24])
	if uint64(n)*cacheEntryLen > uint64(len(data)-cacheHeaderLen) {
		return nil, fmt.Errorf("loader cache claims %d entries in %d bytes", n, len(data))
	}
	str := func(off uint32) (string, error) {
		if uint64(off) >= uint64(len(data)) {
			return "", fmt.Errorf("string offset %d beyond the file", off)
		}
		end := bytes.IndexByte(data[off:], 0)
		if end < 0 {
			return "", fmt.Errorf("string at %d not terminated", off)
		}
		return string(data[off : int(off)+end]), nil
	}
	out := map[string][]string{}
	for i := uint32(0); i < n; i++ {
		e := data[cacheHeaderLen+int(i)*cacheEntryLen:]
		key, err := str(binary.LittleEndian.Uint32(e[4:8]))
		if err != nil {
			return nil, err
		}
		val, err := str(binary.LittleEndian.Uint32(e[8:12]))
		if err != nil {
			return nil, err
		}
		out[key] = append(out[key], val)
	}
	return out, nil
}
