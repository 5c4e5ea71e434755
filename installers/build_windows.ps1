# Build the Windows app and its installer (PowerShell 5.1 or 7; `python dev.py build` sets up, then runs this):
#
#   dist\printstall\                                       the app, one folder (PyInstaller): printstall.exe
#                                                          (the window) and printstall-cli.exe (the command line)
#   dist\printstall-<version>-windows-x64-setup.exe        the installer (Inno Setup 6.3 or newer)
#   dist\printstall-<version>-windows-x64.zip              the folder, for use without installing
#
# $env:PYTHON names the interpreter whose environment has PyInstaller and the app's packages (default .venv).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$python = if ($env:PYTHON) { $env:PYTHON } else { ".venv\Scripts\python.exe" }

$version = (& $python -c "import core; print(core.__version__)").Trim()
if ($LASTEXITCODE -ne 0) { throw "cannot read the version with $python" }

Write-Host "==> PyInstaller: dist\printstall\ (version $version)"
& $python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build installers\printstall.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed (exit code $LASTEXITCODE)" }

$iscc = Get-Command ISCC.exe -ErrorAction SilentlyContinue | Select-Object -ExpandProperty Source -First 1
if (-not $iscc) {
    $candidates = @(
        (Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"),
        (Join-Path $env:ProgramFiles "Inno Setup 6\ISCC.exe"),
        (Join-Path $env:LOCALAPPDATA "Programs\Inno Setup 6\ISCC.exe")
    )
    $iscc = $candidates | Where-Object { Test-Path $_ } | Select-Object -First 1
}
if (-not $iscc) {
    throw "Inno Setup 6 is not installed (ISCC.exe not found): winget install JRSoftware.InnoSetup"
}
Write-Host "==> Inno Setup: dist\printstall-$version-windows-x64-setup.exe"
& $iscc /Q "/DAppVersion=$version" installers\windows\printstall.iss
if ($LASTEXITCODE -ne 0) { throw "ISCC failed (exit code $LASTEXITCODE)" }

Write-Host "==> dist\printstall-$version-windows-x64.zip"
Compress-Archive -Path dist\printstall -DestinationPath "dist\printstall-$version-windows-x64.zip" -Force
Write-Host "==> built dist\printstall\, the installer and the zip"
