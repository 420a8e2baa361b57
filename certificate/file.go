package certificate

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/oman-sca/safeer/internal/privfile"
)

// WriteFile renders certs to the PDF at path. It renders next to path and
// renames, so a failed render never leaves half a PDF under the name a
// coordinator will print; the file is readable by its owner only (0600),
// and a folder made for it is 0700: certificates name people.
func WriteFile(ctx context.Context, path string, tmpl Template, certs ...SignedCertificate) error {
	if err := privfile.MkdirAll(filepath.Dir(path)); err != nil {
		return fmt.Errorf("make the certificates folder: %w", err)
	}
	var renderErr error
	err := privfile.Write(path, func(w io.Writer) error {
		renderErr = Render(ctx, w, tmpl, certs...)
		return renderErr
	})
	if renderErr != nil {
		return renderErr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
