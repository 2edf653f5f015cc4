// Builds audit_app/static/build/ from assets/ and the govuk-frontend npm package:
//   app.css                 assets/scss/app.scss compiled (compressed, no source map) with the
//                           brand colour from BRAND_COLOUR
//   govuk-frontend.min.js   GOV.UK Frontend's ES module (and its source map)
//   app.js                  the site's module that starts GOV.UK Frontend, with the other
//                           modules of assets/js/ it imports beside it
//   images/                 GOV.UK Frontend's images, and icon.svg: the service's own icon
//   fonts/                  DejaVu Sans (regular and bold) for the PDFs, with its licence
// Run with `npm run build`. Needs nothing beyond the packages in package.json.
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outputDir = join(root, 'audit_app', 'static', 'build')
const govukDist = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const DEFAULT_BRAND_COLOUR = '#005ea5'
// WCAG 2.2 AA for normal text: the header prints white text on the brand colour.
const MINIMUM_CONTRAST = 4.5

function fail (message) {
  console.error(`build-assets: ${message}`)
  process.exit(1)
}

function normaliseColour (raw) {
  const value = raw.trim().toLowerCase()
  if (/^#[0-9a-f]{6}$/.test(value)) return value
  if (/^#[0-9a-f]{3}$/.test(value)) return '#' + [...value.slice(1)].map(c => c + c).join('')
  return null
}

function relativeLuminance (hex) {
  const channels = [1, 3, 5].map(start => parseInt(hex.slice(start, start + 2), 16) / 255)
  const [r, g, b] = channels.map(c => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

function contrastWithWhite (hex) {
  return 1.05 / (relativeLuminance(hex) + 0.05)
}

function brandColour () {
  const raw = process.env.BRAND_COLOUR || DEFAULT_BRAND_COLOUR
  const colour = normaliseColour(raw)
  if (colour === null) {
    fail(`BRAND_COLOUR must be a hex colour such as ${DEFAULT_BRAND_COLOUR}, not ${JSON.stringify(raw)}`)
  }
  const contrast = contrastWithWhite(colour)
  if (contrast < MINIMUM_CONTRAST) {
    fail(`BRAND_COLOUR ${colour} is too light: white text on it has a contrast of ` +
      `${contrast.toFixed(2)}:1, and must have at least ${MINIMUM_CONTRAST}:1 (choose a darker colour)`)
  }
  return colour
}

function compileStylesheet (colour) {
  // app.scss is loaded as a module so that its `$brand-colour !default` can be configured.
  const entry = `@use "app" with ($brand-colour: ${colour});`
  try {
    return sass.compileString(entry, {
      loadPaths: [join(root, 'assets', 'scss')],
      importers: [new sass.NodePackageImporter(root)],
      style: 'compressed',
      sourceMap: false,
      quietDeps: true
    }).css
  } catch (error) {
    fail(`the stylesheet did not compile: ${error.message}`)
  }
}

function build () {
  const colour = brandColour()
  const css = compileStylesheet(colour)
  if (css.includes('GDS Transport')) {
    fail('the compiled stylesheet still refers to GDS Transport; check assets/scss/app.scss')
  }
  const icon = readFileSync(join(root, 'assets', 'images', 'icon.svg'), 'utf8')
    .replaceAll('{{brand}}', colour)

  // Write everything beside the old build, then swap, so a failed build leaves the old one.
  const staging = `${outputDir}.tmp`
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(join(staging, 'images'), { recursive: true })
  writeFileSync(join(staging, 'app.css'), css)
  for (const file of ['govuk-frontend.min.js', 'govuk-frontend.min.js.map']) {
    cpSync(join(govukDist, file), join(staging, file))
  }
  cpSync(join(govukDist, 'assets', 'images'), join(staging, 'images'), { recursive: true })
  for (const file of readdirSync(join(root, 'assets', 'js')).filter(name => name.endsWith('.js'))) {
    cpSync(join(root, 'assets', 'js', file), join(staging, file))
  }
  writeFileSync(join(staging, 'images', 'icon.svg'), icon)
  // The Unicode font the PDFs print every name with (from the dejavu-fonts-ttf package).
  mkdirSync(join(staging, 'fonts'), { recursive: true })
  for (const file of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'LICENSE']) {
    cpSync(join(root, 'node_modules', 'dejavu-fonts-ttf', file === 'LICENSE' ? '' : 'ttf', file),
      join(staging, 'fonts', file))
  }
  rmSync(outputDir, { recursive: true, force: true })
  renameSync(staging, outputDir)
  console.log(`build-assets: built ${outputDir} with brand colour ${colour}`)
}

build()
