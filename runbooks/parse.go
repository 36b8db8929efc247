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

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
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
	rb := &Runbook{Source: Source{File: file}, where: &positions{at: map[string]Position{}, text: map[string]Position{}}}
	r := newReporter(rb)
	root, err := parseYAML(data)
	if err != nil {
		return nil, Problems{syntaxProblem(file, err)}
	}
	d := newDecoder(r)
	body := d.documentBody(root)
	if body == nil {
		r.add("", "the file is empty; a runbook needs at least name and steps")
		return nil, r.problems
	}
	d.anchors.Collect(body)
	d.decode("", body, reflect.ValueOf(rb).Elem())
	validate(rb, r, d.failed)
	if len(r.problems) > 0 {
		return rb, r.problems
	}
	fillDefaults(rb)
	rb.Source.Hash = Hash(rb)
	return rb, nil
}

// parseYAML parses data, turning a panic of the YAML parser on some
// malformed input into an error: a bad file must never crash dre.
func parseYAML(data []byte) (file *ast.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			file, err = nil, fmt.Errorf("the YAML parser failed: %v", p)
		}
	}()
	return parser.ParseBytes(data, 0)
}

// documentBody returns the body of the file's only document, or nil for
// an empty file. A second document is a problem: it would be ignored.
func (d *decoder) documentBody(file *ast.File) ast.Node {
	var body ast.Node
	for _, doc := range file.Docs {
		switch {
		case doc.Body == nil:
		case body != nil:
			d.r.addPos(position(doc.Body), "", "a runbook file holds one runbook; put this one in a file of its own")
		default:
			body = doc.Body
		}
	}
	return body
}

// syntaxProblem turns a YAML parse error into a positioned problem.
func syntaxProblem(file string, err error) Problem {
	var yerr yaml.Error
	if errors.As(err, &yerr) && yerr.GetToken() != nil {
		pos := yerr.GetToken().Position
		return Problem{File: file, Line: pos.Line, Column: pos.Column, Message: "invalid YAML: " + yerr.GetMessage()}
	}
	return Problem{File: file, Message: "invalid YAML: " + err.Error()}
}

// Load parses runbook files; a directory stands for the *.yaml and *.yml
// files directly in it. It returns every runbook that parsed and, when
// any file did not, a *Problems error listing the problems of all of them.
func Load(paths ...string) ([]*Runbook, error) {
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
	return parseAll(files, os.ReadFile, ps)
}

// LoadFS parses the *.yaml and *.yml files directly in dir of fsys, like
// Load; problems name the files dir/name.
func LoadFS(fsys fs.FS, dir string) ([]*Runbook, error) {
	files, err := filesIn(fsys, dir)
	if err != nil {
		return nil, &Problems{{File: dir, Message: err.Error()}}
	}
	return parseAll(files, func(name string) ([]byte, error) { return fs.ReadFile(fsys, name) }, nil)
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
func parseAll(files []string, read func(string) ([]byte, error), ps Problems) ([]*Runbook, error) {
	var out []*Runbook
	for _, f := range files {
		data, err := read(f)
		if err != nil {
			ps = append(ps, Problem{File: f, Message: err.Error()})
			continue
		}
		rb, err := Parse(f, data)
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
