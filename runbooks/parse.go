package runbooks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/dre-dev/dre/internal/yamlnode"
)

// Parse parses one runbook file and checks its structure: YAML syntax,
// keys, types, required fields and allowed values. file names the file
// in problem positions. On failure the error is a *Problems listing every
// problem found; references, expressions and the rest are Lint's job.
func Parse(file string, data []byte) (*Runbook, error) {
	rb, ps := parseFile(file, data)
	if len(ps) > 0 {
		sortProblems(ps)
		return nil, &ps
	}
	return rb, nil
}

// parseFile decodes and validates data, returning the runbook alongside its
// problems.
func parseFile(file string, data []byte) (*Runbook, Problems) {
	root, err := yamlnode.Parse(data)
	if err != nil {
		return nil, Problems{syntaxProblem(file, err)}
	}
	rb := &Runbook{Source: Source{File: file}}
	d := newDecoder(rb)
	body := yamlnode.Body(root, func(extra ast.Node) {
		d.r.addPos(position(extra), "", "a runbook file holds one runbook; put this one in a file of its own")
	})
	if body == nil {
		d.r.add("", "the file is empty; a runbook needs at least name and steps")
		return nil, d.r.problems
	}
	d.DecodeDocument(body, reflect.ValueOf(rb).Elem())
	validate(rb, d.r, d.Failed)
	if len(d.r.problems) > 0 {
		return rb, d.r.problems
	}
	fillDefaults(rb)
	rb.Source.Hash = Hash(rb)
	return rb, nil
}

// syntaxProblem turns a YAML parse error into a positioned problem.
func syntaxProblem(file string, err error) Problem {
	line, col, msg := yamlnode.SyntaxError(err)
	return Problem{File: file, Line: line, Column: col, Message: "invalid YAML: " + msg}
}

// Load parses runbook files; a directory stands for the *.yaml and *.yml
// files directly in it. It returns every runbook that parsed and, when
// any file did not, a *Problems error listing the problems of all of them.
func Load(paths ...string) ([]*Runbook, error) {
	files, ps := runbookFiles(paths)
	return parseAll(files, os.ReadFile, ps, Parse)
}

// runbookFiles lists the runbook files of paths, with a problem for each
// path that cannot be read.
func runbookFiles(paths []string) ([]string, Problems) {
	var files []string
	var ps Problems
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			ps = append(ps, Problem{File: p, Message: fmt.Sprintf("cannot read runbooks: %v", reason(err))})
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		found, err := filesIn(os.DirFS(p), ".")
		if err != nil {
			ps = append(ps, Problem{File: p, Message: err.Error()})
		}
		for _, f := range found {
			files = append(files, filepath.Join(p, f))
		}
	}
	return files, ps
}

// LoadFS parses the *.yaml and *.yml files directly in dir of fsys, like
// Load; problems name the files dir/name.
func LoadFS(fsys fs.FS, dir string) ([]*Runbook, error) {
	files, err := filesIn(fsys, dir)
	if err != nil {
		return nil, &Problems{{File: dir, Message: err.Error()}}
	}
	return parseAll(files, func(name string) ([]byte, error) { return fs.ReadFile(fsys, name) }, nil, Parse)
}

// filesIn lists the runbook files of name in fsys: name itself when it is
// a file, its YAML files when it is a directory.
func filesIn(fsys fs.FS, name string) ([]string, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("cannot read runbooks: %w", reason(err))
	}
	if !info.IsDir() {
		return []string{name}, nil
	}
	entries, err := fs.ReadDir(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("cannot read runbooks: %w", err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			files = append(files, path.Join(name, e.Name()))
		}
	}
	slices.Sort(files)
	return files, nil
}

// parseAll parses files read with read, adding their problems to ps.
func parseAll(files []string, read func(string) ([]byte, error), ps Problems,
	parse func(file string, data []byte) (*Runbook, error)) ([]*Runbook, error) {
	var out []*Runbook
	for _, f := range files {
		data, err := read(f)
		if err != nil {
			ps = append(ps, Problem{File: f, Message: err.Error()})
			continue
		}
		rb, err := parse(f, data)
		var more *Problems
		if errors.As(err, &more) {
			ps = append(ps, *more...)
			continue
		}
		out = append(out, rb)
	}
	if len(ps) > 0 {
		sortProblems(ps)
		return out, &ps
	}
	return out, nil
}

// reason strips the operation and path from a file system error: the
// problem already names the file.
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
