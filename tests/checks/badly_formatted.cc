// Deliberately not formatted (ctest checks.format_rejects_bad_file).
int  Add( int a,int b ) {return a+b;}
