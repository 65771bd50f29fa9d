package main

import (
	"context"
	"fmt"

	"github.com/qingqian/qingqian/sqldb"
)

// crypt encrypts or decrypts a file (a backup) with the data key, or encrypts in place the
// voucher files stored in clear.
func (m *Main) crypt(ctx context.Context, cmd string, args []string) error {
	var c config
	fs := m.flags(cmd, &c)
	in := fs.String("in", "", "输入文件")
	out := fs.String("out", "", "输出文件")
	vouchers := fs.Bool("vouchers", false, "加密数据目录中以明文存储的凭证文件")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if c.dataKeyFile == "" {
		return fmt.Errorf("请用 --data-key-file（或 QINGQIAN_DATA_KEY_FILE）指定数据密钥文件")
	}
	if *vouchers && cmd == "encrypt" {
		db, err := m.open(ctx, &c)
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := db.SealVouchers()
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "已加密 %d 个凭证文件。\n", n)
		return nil
	}
	if *in == "" || *out == "" {
		return fmt.Errorf("请用 --in 和 --out 指定输入、输出文件")
	}
	key, err := sqldb.ReadKeyFile(c.dataKeyFile)
	if err != nil {
		return fmt.Errorf("数据密钥文件无法读取: %w", err)
	}
	if cmd == "encrypt" {
		err = sqldb.SealFile(*in, *out, key)
	} else {
		err = sqldb.UnsealFile(*in, *out, key)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "已写入", *out)
	return nil
}
